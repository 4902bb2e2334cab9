"""Awaitables: what may follow the ``await`` keyword.

Coroutines, tasks and futures are awaitable, and so is any object whose class defines
``__await__`` returning an iterator. Anything else is refused with ``TypeError``.
"""

import asyncio
import inspect

import pytest


class Ready:
    """An awaitable of our own: __await__ is a generator that finishes at once with a value."""

    def __init__(self, value):
        self.value = value

    def __await__(self):
        return self.value
        yield  # makes __await__ a generator, as the protocol asks


@pytest.mark.claim("AIO-20", verdict="holds")
@pytest.mark.contract
async def test_coroutines_tasks_futures_and_await_objects_are_all_awaitable():
    """Each kind of awaitable can be awaited and hands back its value."""

    async def make(value):
        return value

    future = asyncio.get_running_loop().create_future()
    future.set_result("future")
    awaitables = [make("coroutine"), asyncio.create_task(make("task")), future, Ready("custom")]

    checks = [inspect.isawaitable(a) for a in awaitables]
    values = [await a for a in awaitables]

    assert checks == [True, True, True, True]
    assert values == ["coroutine", "task", "future", "custom"]


async def make():
    return 1


@pytest.mark.claim("AIO-20", verdict="holds")
@pytest.mark.python("<3.14")
@pytest.mark.implementation("CPython's message text")
async def test_an_object_without_await_cannot_be_awaited():
    """A plain value, or a coroutine function not called, is not awaitable: await raises
    TypeError, which says the object can't be used in an await expression."""
    assert not inspect.isawaitable(42)
    with pytest.raises(TypeError, match=r"^object int can't be used in 'await' expression$"):
        await 42
    with pytest.raises(TypeError, match=r"^object function can't be used in 'await' expression$"):
        await make


@pytest.mark.claim("AIO-20", verdict="holds")
@pytest.mark.python(">=3.14")
@pytest.mark.implementation("CPython's message text")
async def test_from_3_14_awaiting_a_non_awaitable_says_it_cant_be_awaited():
    """From Python 3.14 the same TypeError is worded "'int' object can't be awaited"."""
    assert not inspect.isawaitable(42)
    with pytest.raises(TypeError, match=r"^'int' object can't be awaited$"):
        await 42
    with pytest.raises(TypeError, match=r"^'function' object can't be awaited$"):
        await make
