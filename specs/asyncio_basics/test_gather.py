"""asyncio.gather: run awaitables concurrently and collect their results in argument order.

What a reader should take away:

* ``gather(*aws)`` turns every argument into a future (coroutines become tasks) and returns one
  future at once; awaiting it gives the list of results.
* The children start in argument order. CPython's ``gather`` calls ``ensure_future`` on each
  argument in a plain ``for`` loop, and the loop runs ready callbacks first in, first out, so
  the order is fixed, not "not guaranteed" (3.10 and 3.11 call the private twin
  ``_ensure_future``, the same logic). With the default task factory nothing starts until
  the caller suspends; with the eager task factory (Python 3.12+) each child runs up to its
  first suspension inside the ``gather`` call itself, still in argument order.
* The results come in argument order, whatever order the children finish in.
* ``loop=`` is gone: it was removed in Python 3.10.
* An exception reaches the awaiter at once unless ``return_exceptions=True`` puts it in the list;
  either way the other children go on running.
"""

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_concurrency import loop_stopwatch

LAZY_FLAVOURS = ("asyncio", "debug", "virtual", "uvloop")
NO_CHILD_RUNS_INSIDE_GATHER = (
    "the note says gather runs each coroutine up to its first await before making it a task, "
    "in no guaranteed order; with the default task factory gather runs no child at all (they "
    "start only once the caller suspends), and they start in argument order"
)
GATHER_STARTS_NOTHING_AT_ONCE = (
    "the note sets gather against loop.create_task as a way that runs the coroutine at once; "
    "with the default task factory gather runs nothing before the caller suspends, just as "
    "loop.create_task does"
)
EAGER_STEPS_IN_A_FIXED_ORDER = (
    "with the eager task factory (3.12+) each child does run up to its first suspension inside "
    "the gather call, as the note describes, but in argument order: the order the note calls "
    "not guaranteed is fixed"
)
EAGER_CHILDREN_RUN_INSIDE_GATHER = (
    "only with the eager task factory (Python 3.12+): each child runs up to its first "
    "suspension inside the gather call, one after another, as the note describes"
)


async def _record_steps(events, name):
    events.append(f"{name} starts")
    await asyncio.sleep(0)
    events.append(f"{name} ends")
    return name


@pytest.mark.claim(
    "AIO-14",
    verdict="erratum",
    note="the start order is the argument order, every time: gather wraps its arguments one by "
    "one and the loop runs them first in, first out; none starts before the caller suspends",
)
@pytest.mark.claim("AIO-25", verdict="erratum", note=NO_CHILD_RUNS_INSIDE_GATHER)
@pytest.mark.claim("LOOP-7", verdict="erratum", note=GATHER_STARTS_NOTHING_AT_ONCE)
@pytest.mark.loop_flavours(*LAZY_FLAVOURS)
@pytest.mark.contract
async def test_gather_starts_its_children_in_argument_order_once_the_caller_suspends():
    """With the default task factory, gather only schedules its children; they start, in
    argument order, when the caller awaits, and they take turns at every suspension."""
    events = []

    combined = asyncio.gather(*(_record_steps(events, name) for name in "abc"))
    events.append("gather returned")
    results = await combined

    assert results == ["a", "b", "c"]
    assert events == [
        "gather returned",
        "a starts",
        "b starts",
        "c starts",
        "a ends",
        "b ends",
        "c ends",
    ]


@pytest.mark.claim(
    "AIO-14",
    verdict="erratum",
    note="with the eager task factory (3.12+) each child runs up to its first suspension inside "
    "the gather call, one after another in argument order; the order is fixed",
)
@pytest.mark.claim("AIO-25", verdict="erratum", note=EAGER_STEPS_IN_A_FIXED_ORDER)
@pytest.mark.claim("LOOP-7", verdict="conditional", note=EAGER_CHILDREN_RUN_INSIDE_GATHER)
@pytest.mark.python(">=3.12")
@pytest.mark.loop_flavours("eager")
@pytest.mark.contract
async def test_with_eager_tasks_gather_runs_each_child_to_its_first_suspension_in_order():
    """Under the eager task factory, gather itself runs every child's first step, in argument
    order, before it returns."""
    events = []

    combined = asyncio.gather(*(_record_steps(events, name) for name in "abc"))
    events.append("gather returned")
    results = await combined

    assert results == ["a", "b", "c"]
    assert events == [
        "a starts",
        "b starts",
        "c starts",
        "gather returned",
        "a ends",
        "b ends",
        "c ends",
    ]


@pytest.mark.claim(
    "AIO-14",
    verdict="erratum",
    note="for any number of arguments the children start in argument order",
)
@pytest.mark.loop_flavours("virtual")
@given(size=st.integers(min_value=1, max_value=12))
@pytest.mark.contract
async def test_gather_starts_any_number_of_children_in_argument_order(size):
    """Whatever the number of arguments, the first steps run in argument order."""
    started = []

    async def child(index):
        started.append(index)
        await asyncio.sleep(0)

    await asyncio.gather(*(child(i) for i in range(size)))

    assert started == list(range(size))


@pytest.mark.claim("AIO-15", verdict="holds")
@pytest.mark.loop_flavours(*LAZY_FLAVOURS, "eager")
@pytest.mark.contract
async def test_gather_returns_one_future_that_can_be_awaited():
    """gather returns a single asyncio.Future (not a coroutine); awaiting it gives the list of
    the children's results."""

    async def double(x):
        await asyncio.sleep(0)
        return 2 * x

    combined = asyncio.gather(double(1), double(2))

    assert isinstance(combined, asyncio.Future)
    assert not asyncio.iscoroutine(combined)
    assert await combined == [2, 4]
    assert combined.result() == [2, 4]


@pytest.mark.claim("AIO-16", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@given(delays=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=8, unique=True))
@pytest.mark.contract
async def test_gather_results_follow_argument_order_not_completion_order(delays):
    """The children finish in order of their delays, yet gather's list follows the argument
    order; the whole takes as long as the longest child."""
    finished = []

    async def wait_then_report(seconds):
        await asyncio.sleep(seconds)
        finished.append(seconds)
        return seconds

    with loop_stopwatch() as elapsed:
        results = await asyncio.gather(*(wait_then_report(d) for d in delays))

    assert finished == sorted(delays)
    assert results == delays
    assert elapsed.seconds == max(delays)


@pytest.mark.claim(
    "AIO-17",
    verdict="erratum",
    note="gather has no loop= parameter since Python 3.10 (deprecated in 3.8); passing it "
    "raises TypeError; gather uses the loop of its arguments or the running loop",
)
@pytest.mark.contract
async def test_gather_rejects_a_loop_argument():
    """gather(..., loop=...) is a TypeError on every supported Python (3.10+)."""
    loop = asyncio.get_running_loop()
    pending = loop.create_future()

    with pytest.raises(TypeError, match="loop"):
        asyncio.gather(pending, loop=loop)
    pending.cancel()


@pytest.mark.claim("AIO-26", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_a_failing_child_fails_the_gather_at_once_while_the_others_keep_running():
    """With return_exceptions=False (the default) the first exception is raised to the awaiter
    as soon as it happens; the other children are not cancelled and go on to finish."""
    events = []

    async def fail_after(seconds):
        await asyncio.sleep(seconds)
        events.append(f"fails at {seconds}")
        raise ValueError("broken")

    async def succeed_after(seconds):
        await asyncio.sleep(seconds)
        events.append(f"succeeds at {seconds}")

    survivor = asyncio.ensure_future(succeed_after(5))
    with loop_stopwatch() as elapsed, pytest.raises(ValueError, match="broken"):
        await asyncio.gather(fail_after(1), survivor)
    failed_at = elapsed.seconds
    await survivor

    assert failed_at == 1.0
    assert events == ["fails at 1", "succeeds at 5"]


@pytest.mark.claim("AIO-26", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_return_exceptions_puts_exceptions_in_the_results_in_argument_order():
    """With return_exceptions=True, gather waits for every child and returns each exception in
    its argument's place instead of raising it."""
    error = ValueError("broken")

    async def fail_after(seconds):
        await asyncio.sleep(seconds)
        raise error

    async def answer_after(seconds):
        await asyncio.sleep(seconds)
        return seconds

    with loop_stopwatch() as elapsed:
        results = await asyncio.gather(answer_after(2), fail_after(1), return_exceptions=True)

    assert results == [2, error]
    assert elapsed.seconds == 2.0
