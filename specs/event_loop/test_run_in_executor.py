"""loop.run_in_executor: blocking, synchronous code run in threads, beside the loop.

A blocking call made directly in a coroutine stops the whole loop until it returns. Handed to
``run_in_executor`` (``None``: the loop's default ``ThreadPoolExecutor``), it runs in a worker
thread while the loop goes on running other tasks, and its result comes back as a future the
coroutine awaits.
"""

import asyncio
import threading

import pytest

from pytest_concurrency import hang_bound

# Every flavour: the virtual clock holds while executor work (and its shutdown) is in flight.
pytestmark = pytest.mark.loop_flavours("asyncio", "debug", "eager", "virtual", "uvloop")


def wait_for_release(release):
    """A blocking call: it returns only once another party sets ``release``."""
    released = release.wait(hang_bound("short"))
    return ("released" if released else "never released", threading.get_ident())


@pytest.mark.claim("AIO-7", "LOOP-3", verdict="holds")
@pytest.mark.contract
async def test_a_blocking_call_in_the_executor_runs_in_another_thread_while_tasks_go_on():
    """The blocking call waits in a worker thread; meanwhile a task on the loop runs and is
    the one that releases it. Were the call made on the loop's thread, nothing could ever
    release it."""
    loop = asyncio.get_running_loop()
    release = threading.Event()
    events = []

    async def releaser():
        events.append("task runs while the call blocks")
        release.set()

    call = loop.run_in_executor(None, wait_for_release, release)
    await asyncio.create_task(releaser())
    outcome, worker_thread = await call
    events.append("call returned")

    assert outcome == "released"
    assert worker_thread != threading.get_ident()
    assert events == ["task runs while the call blocks", "call returned"]


@pytest.mark.claim("AIO-7", "LOOP-3", verdict="holds")
@pytest.mark.contract
async def test_a_blocking_call_made_directly_stops_every_other_task_until_it_returns():
    """Called directly in a coroutine, a synchronous function holds the loop's only thread:
    a task that is ready to run gets its turn only after the call."""
    events = []
    gate = asyncio.get_running_loop().create_future()

    async def other():
        await gate
        events.append("other task runs")

    def blocking_work():
        events.append("blocking call starts")
        events.append("blocking call ends")  # no other task ran in between

    other_task = asyncio.create_task(other())
    await asyncio.sleep(0)
    gate.set_result(None)  # the other task is ready to run from here on
    blocking_work()
    await other_task

    assert events == ["blocking call starts", "blocking call ends", "other task runs"]
