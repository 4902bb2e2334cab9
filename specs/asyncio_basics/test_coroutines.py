"""Coroutine functions, coroutine objects, and the ways a coroutine's body gets to run.

``async def`` defines a coroutine function. Calling it runs nothing: it returns a coroutine
object, whose body runs only when something drives it: ``asyncio.run``, an ``await``, a task
(``create_task``), ``gather`` or ``as_completed`` (which wrap it in a task). ``asyncio.wait`` is
the exception: it has refused coroutines since Python 3.11 (see ``test_wait.py``).
"""

import asyncio
import inspect

import pytest


@pytest.mark.claim("AIO-8", verdict="holds")
@pytest.mark.contract
def test_async_def_defines_a_coroutine_function():
    """A function defined with async def is a coroutine function; a plain def is not, even
    when it returns a coroutine."""

    async def fetch():
        return "data"

    def plain():
        return fetch()

    assert inspect.iscoroutinefunction(fetch)
    assert not inspect.iscoroutinefunction(plain)
    plain().close()


@pytest.mark.claim("AIO-9", verdict="holds")
@pytest.mark.contract
def test_calling_a_coroutine_function_returns_a_coroutine_without_running_its_body():
    """The call hands back a coroutine object in its created state; the body has not run."""
    events = []

    async def body():
        events.append("body ran")

    coro = body()

    assert inspect.iscoroutine(coro)
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CREATED
    assert events == []
    coro.close()


@pytest.mark.claim("AIO-10", "AIO-11", verdict="holds")
@pytest.mark.contract
def test_asyncio_run_drives_a_coroutine_to_the_end():
    """asyncio.run runs the body to completion and returns what it returns."""
    events = []

    async def body():
        events.append("body ran")
        return "result"

    assert asyncio.run(body()) == "result"
    assert events == ["body ran"]


@pytest.mark.claim("AIO-10", verdict="holds")
@pytest.mark.contract
async def test_awaiting_a_coroutine_runs_its_body_in_the_awaiting_task():
    """await runs the body right there, inside the task that awaits, with no new task."""
    ran_in = []

    async def body():
        ran_in.append(asyncio.current_task())
        return "result"

    assert await body() == "result"
    assert ran_in == [asyncio.current_task()]


@pytest.mark.claim("AIO-10", verdict="holds")
@pytest.mark.contract
async def test_create_task_gather_and_as_completed_run_a_coroutine_in_a_new_task():
    """create_task, gather and as_completed each wrap the coroutine in a task of its own and
    run it there."""
    ran_in = {}

    async def body(route):
        ran_in[route] = asyncio.current_task()
        return route

    me = asyncio.current_task()
    await asyncio.create_task(body("create_task"))
    await asyncio.gather(body("gather"))
    for next_done in asyncio.as_completed([body("as_completed")]):
        await next_done

    assert sorted(ran_in) == ["as_completed", "create_task", "gather"]
    assert len({*ran_in.values(), me}) == 4  # three distinct new tasks, none of them mine


@pytest.mark.claim("AIO-1", verdict="holds")
@pytest.mark.contract
async def test_async_and_await_let_two_coroutines_run_concurrently_in_one_thread():
    """Two async def functions that await at each step make progress together, in one thread:
    that is all asyncio's concurrency is made of."""
    events = []

    async def worker(name):
        for step in (1, 2):
            events.append((name, step))
            await asyncio.sleep(0)

    await asyncio.gather(worker("a"), worker("b"))

    assert events == [("a", 1), ("b", 1), ("a", 2), ("b", 2)]
