"""asyncio.get_running_loop and asyncio.create_task: the loop a coroutine runs on.

Inside a coroutine, ``get_running_loop()`` returns the loop that is running it (outside one it
raises ``RuntimeError``). ``asyncio.create_task(coro)`` is a shorthand for
``get_running_loop().create_task(coro)``: both make a task of the running loop, through the
loop's task factory. ``loop.create_task`` itself takes any open loop, running or not, however
it was obtained: on an idle loop the task waits until that loop runs.
"""

import asyncio

import pytest

ALL_FLAVOURS = ("asyncio", "debug", "eager", "virtual", "uvloop")


@pytest.mark.claim("LOOP-2", verdict="holds")
@pytest.mark.loop_flavours(*ALL_FLAVOURS)
@pytest.mark.contract
async def test_inside_a_coroutine_get_running_loop_returns_the_loop_running_it():
    """The loop returned is running, and it is the loop the current task belongs to."""
    loop = asyncio.get_running_loop()

    assert loop.is_running()
    assert asyncio.current_task().get_loop() is loop


@pytest.mark.claim("LOOP-2", verdict="holds")
@pytest.mark.loop_flavours(*ALL_FLAVOURS)
@pytest.mark.contract
async def test_inside_a_coroutine_get_event_loop_also_returns_the_running_loop():
    """Within a coroutine, the older get_event_loop gives the same running loop, silently."""
    assert asyncio.get_event_loop() is asyncio.get_running_loop()


@pytest.mark.claim("LOOP-2", verdict="holds")
@pytest.mark.implementation("CPython's message text")
def test_outside_a_coroutine_there_is_no_running_loop():
    """With no loop running in this thread, get_running_loop raises RuntimeError instead of
    making one."""
    with pytest.raises(RuntimeError, match="no running event loop"):
        asyncio.get_running_loop()


@pytest.mark.claim("LOOP-6", verdict="holds")
@pytest.mark.loop_flavours(*ALL_FLAVOURS)
@pytest.mark.contract
async def test_asyncio_create_task_is_loop_create_task_on_the_running_loop():
    """Both spellings go through the running loop's task factory and give a task of that
    loop."""
    loop = asyncio.get_running_loop()
    made = []
    original_factory = loop.get_task_factory()

    def recording_factory(loop, coro, **kwargs):
        made.append(coro.__name__)
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def by_function():
        return "asyncio.create_task"

    async def by_method():
        return "loop.create_task"

    loop.set_task_factory(recording_factory)
    try:
        first = asyncio.create_task(by_function())
        second = loop.create_task(by_method())
    finally:
        loop.set_task_factory(original_factory)

    assert made == ["by_function", "by_method"]
    assert first.get_loop() is second.get_loop() is loop
    assert await asyncio.gather(first, second) == ["asyncio.create_task", "loop.create_task"]


@pytest.mark.claim("LOOP-6", verdict="holds")
@pytest.mark.implementation("CPython's message text")
def test_asyncio_create_task_needs_a_running_loop():
    """asyncio.create_task has no loop to use outside a coroutine: RuntimeError."""

    async def work():
        return None

    coro = work()
    with pytest.raises(RuntimeError, match="no running event loop"):
        # it raises, so there is no task to keep a reference to
        asyncio.create_task(coro)  # noqa: RUF006
    coro.close()


ANY_OPEN_LOOP_WILL_DO = (
    "the note requires the loop for loop.create_task to come from get_running_loop; any open "
    "loop will do, running or not (the note's own line 129 uses one from get_event_loop): on an "
    "idle loop the task simply waits until that loop runs"
)


@pytest.mark.claim("LOOP-8", verdict="erratum", note=ANY_OPEN_LOOP_WILL_DO)
@pytest.mark.contract
def test_loop_create_task_accepts_a_loop_that_is_not_running():
    """loop.create_task works on a loop made with new_event_loop that nobody is running yet:
    it returns a task of that loop, which runs once the loop does."""

    async def work():
        return "done"

    loop = asyncio.new_event_loop()
    try:
        task = loop.create_task(work())
        made_on = task.get_loop()
        result = loop.run_until_complete(task)
    finally:
        loop.close()

    assert made_on is loop
    assert result == "done"
