"""asyncio.create_task: wrapping a coroutine in a task, and when the task's body first runs.

When a new task takes its first step depends on the loop's task factory. With the default
factory (the ``asyncio``, ``debug``, ``virtual`` and ``uvloop`` flavours) ``create_task`` only
schedules the task: its body waits until the creator suspends. With
``asyncio.eager_task_factory`` (the ``eager`` flavour, Python 3.12+) the body starts inside
``create_task`` and runs until its first real suspension. Each outcome has its own spec.
"""

import asyncio

import pytest

from pytest_concurrency import loop_stopwatch

LAZY_FLAVOURS = ("asyncio", "debug", "virtual", "uvloop")
CREATE_TASK_RUNS_THEM_AT_ONCE = (
    "the note sets create_task against gather, wait and as_completed, as running coroutines "
    "one after another rather than at the same time; tasks made with create_task overlap "
    "exactly as gathered coroutines do"
)


@pytest.mark.claim(
    "AIO-13",
    verdict="erratum",
    note="with the default task factory create_task only schedules the task; its body first "
    "runs when the creating task suspends, not inside create_task",
)
@pytest.mark.loop_flavours(*LAZY_FLAVOURS)
@pytest.mark.contract
async def test_a_new_task_first_runs_when_its_creator_suspends():
    """create_task returns a pending task whose body has not started; the body runs at the
    creator's next suspension, and keeps control until it suspends in turn."""
    events = []

    async def child():
        events.append("child starts")
        await asyncio.sleep(0)
        events.append("child resumes")

    task = asyncio.create_task(child(), name="child")
    events.append("create_task returned")
    await asyncio.sleep(0)
    events.append("creator resumes")
    await task

    assert events == [
        "create_task returned",
        "child starts",
        "creator resumes",
        "child resumes",
    ]


@pytest.mark.claim(
    "AIO-13",
    verdict="conditional",
    note="only with an eager task factory (Python 3.12+): the body starts inside create_task "
    "and keeps control until its first suspension",
)
@pytest.mark.python(">=3.12")
@pytest.mark.loop_flavours("eager")
@pytest.mark.contract
async def test_an_eager_task_runs_inside_create_task_until_it_first_suspends():
    """With asyncio.eager_task_factory, create_task runs the body at once, up to the first
    await that really suspends, and only then returns the task to its creator."""
    events = []

    async def child():
        events.append("child starts")
        await asyncio.sleep(0)
        events.append("child resumes")

    task = asyncio.create_task(child(), name="child")
    events.append("create_task returned")
    await task

    assert events == ["child starts", "create_task returned", "child resumes"]


@pytest.mark.claim(
    "AIO-13",
    verdict="conditional",
    note="only with an eager task factory (Python 3.12+): a body that never suspends finishes "
    "inside create_task, which returns a task already done",
)
@pytest.mark.python(">=3.12")
@pytest.mark.loop_flavours("eager")
@pytest.mark.contract
async def test_an_eager_task_that_never_suspends_is_done_when_create_task_returns():
    """An eager task whose body has no suspension point completes inside create_task."""

    async def answer():
        return 42

    task = asyncio.create_task(answer())

    assert (task.done(), task.result()) == (True, 42)


@pytest.mark.claim(
    "FUT-3",
    verdict="holds",
    note="create_task (note line 94) returns the task wrapping the coroutine, named by name=",
)
@pytest.mark.loop_flavours(*LAZY_FLAVOURS, "eager")
@pytest.mark.contract
async def test_create_task_returns_a_task_with_the_given_name():
    """create_task wraps the coroutine in an asyncio.Task, named as asked."""

    async def work():
        return "done"

    task = asyncio.create_task(work(), name="worker")

    assert isinstance(task, asyncio.Task)
    assert task.get_name() == "worker"
    assert await task == "done"


@pytest.mark.claim("AIO-3", "AIO-5", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_awaiting_coroutines_one_by_one_runs_them_one_after_another():
    """Coroutines awaited in turn by one task do not overlap: their waits add up (3 + 2 + 1)."""

    async def pause(seconds):
        await asyncio.sleep(seconds)
        return seconds

    with loop_stopwatch() as elapsed:
        results = [await pause(3), await pause(2), await pause(1)]

    assert results == [3, 2, 1]
    assert elapsed.seconds == 6.0


@pytest.mark.claim("AIO-3", "AIO-5", verdict="holds")
@pytest.mark.claim("AIO-22", verdict="erratum", note=CREATE_TASK_RUNS_THEM_AT_ONCE)
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_the_same_coroutines_as_tasks_overlap_and_take_as_long_as_the_longest():
    """Wrapped in tasks, the same waits overlap: the whole takes max(3, 2, 1) seconds, and each
    task still hands back its own result."""

    async def pause(seconds):
        await asyncio.sleep(seconds)
        return seconds

    with loop_stopwatch() as elapsed:
        tasks = [asyncio.create_task(pause(s)) for s in (3, 2, 1)]
        results = [await task for task in tasks]

    assert results == [3, 2, 1]
    assert elapsed.seconds == 3.0


@pytest.mark.claim("AIO-22", verdict="erratum", note=CREATE_TASK_RUNS_THEM_AT_ONCE)
@pytest.mark.loop_flavours(*LAZY_FLAVOURS, "eager")
@pytest.mark.contract
async def test_tasks_that_suspend_often_interleave_round_robin():
    """Tasks that each yield with sleep(0) between steps take turns, one step each, in the
    order they were created."""
    events = []

    async def counter(name):
        for step in range(3):
            events.append(f"{name}{step}")
            await asyncio.sleep(0)

    await asyncio.gather(*(asyncio.create_task(counter(name)) for name in "abc"))

    assert events == ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"]


@pytest.mark.claim("AIO-22", verdict="erratum", note=CREATE_TASK_RUNS_THEM_AT_ONCE)
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_tasks_from_create_task_overlap_exactly_as_gathered_coroutines_do():
    """Waits of 3, 2 and 1 seconds take 3 seconds and finish shortest first whether gather
    runs them or create_task does: create_task runs them at the same time too."""
    finished = {"gather": [], "create_task": []}

    async def pause(seconds, way):
        await asyncio.sleep(seconds)
        finished[way].append(seconds)

    with loop_stopwatch() as gathered:
        await asyncio.gather(*(pause(s, "gather") for s in (3, 2, 1)))
    with loop_stopwatch() as as_tasks:
        tasks = [asyncio.create_task(pause(s, "create_task")) for s in (3, 2, 1)]
        for task in tasks:
            await task

    assert (gathered.seconds, as_tasks.seconds) == (3.0, 3.0)
    assert finished == {"gather": [1, 2, 3], "create_task": [1, 2, 3]}
