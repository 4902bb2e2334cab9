"""asyncio.sleep: the standard way for a task to wait, or to give the others a turn.

``asyncio.sleep(...)`` returns a coroutine; nothing waits until it is awaited. ``await
asyncio.sleep(0)`` suspends the task for one turn of the loop, so every other ready task runs
once, and it costs no loop time. ``await asyncio.sleep(d)`` resumes after exactly ``d`` loop
seconds (checked on virtual time).
"""

import asyncio

import pytest

from pytest_concurrency import loop_stopwatch

ALL_FLAVOURS = ("asyncio", "debug", "eager", "virtual", "uvloop")


@pytest.mark.claim("AIO-23", verdict="holds")
@pytest.mark.contract
async def test_asyncio_sleep_returns_a_coroutine_that_waits_only_when_awaited():
    """Calling asyncio.sleep makes a coroutine object and does not wait at all."""
    pause = asyncio.sleep(0, result="woke")

    assert asyncio.iscoroutine(pause)
    assert await pause == "woke"


@pytest.mark.claim("AIO-23", verdict="holds")
@pytest.mark.loop_flavours(*ALL_FLAVOURS)
@pytest.mark.contract
async def test_sleep_zero_lets_every_other_ready_task_take_one_step():
    """await sleep(0) puts the task at the back of the queue: every task that is ready runs
    one step before it resumes."""
    events = []
    gate = asyncio.get_running_loop().create_future()

    async def other(name):
        await gate
        events.append(f"{name} runs")

    tasks = [asyncio.create_task(other(name)) for name in ("x", "y")]
    await asyncio.sleep(0)  # both tasks are now parked at the gate, on every flavour
    gate.set_result(None)  # both are ready to run again
    events.append("main before sleep(0)")
    await asyncio.sleep(0)
    events.append("main after sleep(0)")
    await asyncio.gather(*tasks)

    assert events == ["main before sleep(0)", "x runs", "y runs", "main after sleep(0)"]


@pytest.mark.claim("AIO-23", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_sleep_zero_costs_no_loop_time_and_sleep_d_takes_exactly_d():
    """sleep(0) is a turn of the loop, not a wait; sleep(d) resumes d loop seconds later."""
    with loop_stopwatch() as turn:
        await asyncio.sleep(0)
    with loop_stopwatch() as nap:
        await asyncio.sleep(2.5)

    assert (turn.seconds, nap.seconds) == (0.0, 2.5)
