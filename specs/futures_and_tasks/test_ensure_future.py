"""asyncio.ensure_future: make anything awaitable into a future.

A future or task passes through unchanged; a coroutine, or any other awaitable, is wrapped in
a new task. That generality is what frameworks want when they accept "any awaitable";
application code that starts a coroutine uses ``create_task``, which takes coroutines only.
``gather`` calls ``ensure_future`` on each of its arguments, which is why every argument, of
whatever kind, becomes a future it can wait on.
"""

import asyncio

import pytest

LAZY_FLAVOURS = ("asyncio", "debug", "virtual", "uvloop")


class Ready:
    """An awaitable that is neither a coroutine nor a future."""

    def __init__(self, value):
        self.value = value

    def __await__(self):
        return self.value
        yield  # makes __await__ a generator, as the protocol asks


async def _value(x):
    await asyncio.sleep(0)
    return x


@pytest.mark.claim("FUT-7", verdict="holds")
@pytest.mark.loop_flavours(*LAZY_FLAVOURS, "eager")
@pytest.mark.contract
async def test_ensure_future_returns_a_future_or_task_unchanged():
    """Given a future or a task, ensure_future hands back that very object."""
    future = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(_value("task"))

    assert asyncio.ensure_future(future) is future
    assert asyncio.ensure_future(task) is task
    future.cancel()
    await task


@pytest.mark.claim("FUT-8", verdict="holds")
@pytest.mark.loop_flavours(*LAZY_FLAVOURS)
@pytest.mark.contract
async def test_ensure_future_wraps_a_coroutine_in_a_new_task():
    """A coroutine comes back as a new Task that runs it."""
    coro = _value("wrapped")

    task = asyncio.ensure_future(coro)

    assert isinstance(task, asyncio.Task)
    assert task.get_coro() is coro
    assert await task == "wrapped"


@pytest.mark.claim(
    "FUT-9",
    verdict="holds",
    note="shown by what each accepts: ensure_future takes any awaitable, create_task only a "
    "coroutine",
)
@pytest.mark.claim("FUT-11", verdict="holds")
@pytest.mark.implementation("CPython's message text")
async def test_ensure_future_accepts_any_awaitable_where_create_task_takes_only_coroutines():
    """A framework receiving some awaitable can always turn it into a task with
    ensure_future; create_task refuses whatever is not a coroutine."""
    custom = Ready("custom")

    wrapped = asyncio.ensure_future(custom)
    with pytest.raises(TypeError, match="coroutine was expected"):
        # it raises, so there is no task to keep a reference to
        asyncio.create_task(Ready("refused"))  # noqa: RUF006

    assert isinstance(wrapped, asyncio.Task)
    assert await wrapped == "custom"


@pytest.mark.claim("FUT-7", "FUT-8", verdict="holds")
@pytest.mark.implementation("CPython's message text")
def test_ensure_future_refuses_what_is_not_awaitable():
    """A plain value cannot become a future: TypeError."""
    with pytest.raises(TypeError, match="awaitable is required"):
        asyncio.ensure_future(42)  # noqa: RUF006  (it raises: no task is made)


@pytest.mark.claim("FUT-10", verdict="holds")
@pytest.mark.contract
async def test_gather_accepts_coroutines_futures_and_other_awaitables_alike():
    """Because gather makes a future of each argument with ensure_future, a coroutine, a
    future and a custom awaitable can be mixed in one call."""
    future = asyncio.get_running_loop().create_future()
    future.set_result("future")

    results = await asyncio.gather(_value("coroutine"), future, Ready("custom"))

    assert results == ["coroutine", "future", "custom"]


@pytest.mark.claim("FUT-10", verdict="holds")
@pytest.mark.contract
async def test_a_future_given_to_gather_is_its_child_itself():
    """gather keeps the future it was given (ensure_future returns it unchanged): cancelling
    the gather cancels that very future."""
    future = asyncio.get_running_loop().create_future()

    combined = asyncio.gather(future)
    combined.cancel()

    assert future.cancelled()
    with pytest.raises(asyncio.CancelledError):
        await combined


@pytest.mark.claim("FUT-10", verdict="holds")
@pytest.mark.contract
async def test_each_coroutine_given_to_gather_runs_in_a_task_of_its_own():
    """Inside gather, every coroutine argument has been made a task: its current task is a
    new Task, not the caller's."""
    me = asyncio.current_task()

    async def whose_task():
        return asyncio.current_task()

    first, second = await asyncio.gather(whose_task(), whose_task())

    assert isinstance(first, asyncio.Task)
    assert len({me, first, second}) == 3
