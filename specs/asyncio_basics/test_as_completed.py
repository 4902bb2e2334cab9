"""asyncio.as_completed: take results in the order the awaitables finish.

Iterated with a plain ``for``, ``as_completed`` yields new coroutines (not the awaitables passed
in); awaiting the n-th one gives the n-th result to arrive. That holds on every supported
Python. From Python 3.13 the returned object is also an asynchronous iterator, and ``async
for`` yields the original tasks and futures themselves, in completion order; before 3.13 it is
a plain generator and ``async for`` over it fails.
"""

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_concurrency import loop_stopwatch


async def _answer_after(seconds):
    await asyncio.sleep(seconds)
    return seconds


@pytest.mark.claim("AIO-19", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_plain_iteration_yields_new_coroutines_that_give_the_earliest_result_first():
    """Each item of a plain for loop is a fresh coroutine, none of them a task passed in;
    awaiting them gives the results fastest first."""
    tasks = [asyncio.create_task(_answer_after(s)) for s in (3, 1, 2)]

    items = list(asyncio.as_completed(tasks))
    kinds = [asyncio.iscoroutine(item) for item in items]
    originals = [item for item in items if item in tasks]
    results = [await item for item in items]

    assert kinds == [True, True, True]
    assert originals == []
    assert results == [1, 2, 3]


@pytest.mark.claim("AIO-19", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@settings(max_examples=30)
@given(delays=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=8, unique=True))
@pytest.mark.contract
async def test_as_completed_hands_out_results_in_completion_order(delays):
    """With distinct delays the results arrive shortest delay first, and the last one arrives
    when the longest delay is over."""
    arrived = []

    with loop_stopwatch() as elapsed:
        for next_done in asyncio.as_completed([_answer_after(d) for d in delays]):
            arrived.append(await next_done)

    assert arrived == sorted(delays)
    assert elapsed.seconds == max(delays)


@pytest.mark.claim(
    "AIO-19",
    verdict="holds",
    note="plain iteration, which the note describes, is unchanged; from Python 3.13 "
    "as_completed also returns an async iterator; async for yields the "
    "original tasks and futures, in completion order, not new coroutines",
)
@pytest.mark.python(">=3.13")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_async_iteration_yields_the_original_tasks_in_completion_order():
    """Since 3.13, async for over as_completed gives back the very tasks passed in, each one
    as it finishes."""
    slow, fast, middle = (asyncio.create_task(_answer_after(s)) for s in (3, 1, 2))

    arrived = [task async for task in asyncio.as_completed([slow, fast, middle])]

    assert arrived == [fast, middle, slow]


@pytest.mark.claim(
    "AIO-19",
    verdict="holds",
    note="before Python 3.13 as_completed returns a plain generator, which async for rejects",
)
@pytest.mark.python("<3.13")
@pytest.mark.contract
async def test_before_3_13_as_completed_is_not_an_async_iterator():
    """Before 3.13 the result of as_completed can only be iterated with a plain for."""
    done = asyncio.get_running_loop().create_future()
    done.set_result("ready")

    with pytest.raises(TypeError, match="__aiter__"):
        async for _ in asyncio.as_completed([done]):
            pass


@pytest.mark.claim("AIO-19", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_after_the_timeout_the_next_result_raises_timeout_error():
    """as_completed(timeout=...) hands out what finished in time, then raises TimeoutError
    for the rest; the unfinished tasks are not cancelled."""
    quick, slow = asyncio.create_task(_answer_after(1)), asyncio.create_task(_answer_after(10))
    next_done = iter(asyncio.as_completed([quick, slow], timeout=5))

    with loop_stopwatch() as elapsed:
        first = await next(next_done)
        with pytest.raises(asyncio.TimeoutError):
            await next(next_done)

    assert first == 1
    assert elapsed.seconds == 5.0
    assert not slow.done()
    slow.cancel()  # tidy up: leave nothing running
    await asyncio.wait([slow])


@pytest.mark.claim(
    "AIO-17",
    verdict="erratum",
    note="as_completed has no loop= parameter since Python 3.10 (deprecated in 3.8); passing it "
    "raises TypeError",
)
@pytest.mark.contract
async def test_as_completed_rejects_a_loop_argument():
    """as_completed(..., loop=...) is a TypeError on every supported Python (3.10+)."""
    loop = asyncio.get_running_loop()
    pending = loop.create_future()

    with pytest.raises(TypeError, match="loop"):
        asyncio.as_completed([pending], loop=loop)  # raises at once: nothing to time out
    pending.cancel()
