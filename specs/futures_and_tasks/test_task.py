"""asyncio.Task: the future that drives a coroutine.

``Task`` is a subclass of ``Future``. Its result is not set by anyone from outside: it is what
the wrapped coroutine returns (or raises), and cancelling the task throws ``CancelledError``
into the coroutine where it waits.
"""

import asyncio

import pytest

LAZY_FLAVOURS = ("asyncio", "debug", "virtual", "uvloop")


@pytest.mark.claim("FUT-2", verdict="holds")
@pytest.mark.contract
async def test_a_task_is_a_future():
    """Task subclasses Future, so a task can go anywhere a future is expected."""

    async def work():
        return 1

    task = asyncio.create_task(work())

    assert issubclass(asyncio.Task, asyncio.Future)
    assert isinstance(task, asyncio.Future)
    assert await task == 1


@pytest.mark.claim("FUT-3", verdict="holds")
@pytest.mark.loop_flavours(*LAZY_FLAVOURS)
@pytest.mark.contract
async def test_a_task_wraps_a_coroutine_and_takes_its_result_from_it():
    """The task holds the coroutine it was made from, and its result is the coroutine's
    return value. (Not on the eager flavour: a task that finished eagerly gives None from
    get_coro(), and on 3.12.1 asking crashes the interpreter, python/cpython#122332.)"""

    async def work():
        await asyncio.sleep(0)
        return "from the coroutine"

    coro = work()
    task = asyncio.create_task(coro)

    assert task.get_coro() is coro
    assert await task == "from the coroutine"


@pytest.mark.claim("FUT-3", verdict="holds")
@pytest.mark.implementation("CPython's message text")
async def test_a_task_can_only_wrap_a_coroutine():
    """Task accepts a coroutine and nothing else, not even another awaitable."""
    future = asyncio.get_running_loop().create_future()

    with pytest.raises(TypeError, match="coroutine was expected"):
        asyncio.Task(future)
    future.cancel()


@pytest.mark.claim("FUT-3", verdict="holds")
@pytest.mark.implementation("CPython's message text")
async def test_a_tasks_result_cannot_be_set_from_outside():
    """Unlike a plain future, a task refuses set_result: only its coroutine decides."""

    async def work():
        return "mine"

    task = asyncio.create_task(work())

    with pytest.raises(RuntimeError, match="Task does not support set_result"):
        task.set_result("yours")
    assert await task == "mine"


@pytest.mark.claim("FUT-3", verdict="holds")
@pytest.mark.loop_flavours(*LAZY_FLAVOURS, "eager")
@pytest.mark.contract
async def test_cancelling_a_task_raises_cancelled_error_inside_its_coroutine():
    """cancel() throws CancelledError into the coroutine at the await where it waits; the
    coroutine may clean up, and the task ends cancelled."""
    events = []
    never = asyncio.get_running_loop().create_future()

    async def work():
        try:
            await never
        except asyncio.CancelledError:
            events.append("coroutine sees CancelledError")
            raise

    task = asyncio.create_task(work())
    await asyncio.sleep(0)  # let it reach its await
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert events == ["coroutine sees CancelledError"]
    assert task.cancelled()
