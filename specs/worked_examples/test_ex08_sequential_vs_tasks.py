"""The note's create_task example: three coroutines that sleep 3, 2 and 1 seconds.

Awaited one after another they take 3 + 2 + 1 = 6 seconds, because each starts only when the
one before has finished. Wrapped in tasks first, they all start at once and the whole takes 3
seconds, the longest of them; awaiting the tasks in creation order still gives 3, 2, 1, all
three at the third second. Times are exact loop seconds on virtual time.
"""

import asyncio

import pytest

from pytest_concurrency import loop_stopwatch


async def nap(seconds):
    await asyncio.sleep(seconds)
    return seconds


@pytest.mark.claim("EX-8", verdict="holds")
@pytest.mark.loop_flavours("virtual")
async def test_awaiting_the_coroutines_one_by_one_takes_the_sum_of_their_times():
    """Each await runs its coroutine to the end before the next one starts: 3 + 2 + 1 = 6."""
    loop = asyncio.get_running_loop()
    printed = []

    with loop_stopwatch() as elapsed:
        for seconds in (3, 2, 1):
            printed.append((await nap(seconds), loop.time()))

    assert printed == [(3, 3.0), (2, 5.0), (1, 6.0)]
    assert elapsed.seconds == 6.0


@pytest.mark.claim("EX-8", verdict="holds")
@pytest.mark.loop_flavours("virtual")
async def test_as_tasks_they_overlap_and_the_results_still_come_in_creation_order():
    """create_task starts all three; awaiting them in order waits 3 s for the first, by which
    time the other two are done: 3, 2, 1 are all printed at the third second."""
    loop = asyncio.get_running_loop()
    printed = []

    with loop_stopwatch() as elapsed:
        tasks = [asyncio.create_task(nap(seconds)) for seconds in (3, 2, 1)]
        for task in tasks:
            printed.append((await task, loop.time()))

    assert printed == [(3, 3.0), (2, 3.0), (1, 3.0)]
    assert elapsed.seconds == 3.0
