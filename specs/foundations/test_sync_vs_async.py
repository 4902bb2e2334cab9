"""Synchronous and asynchronous calls, and the three ways Python makes a call asynchronous.

A synchronous call keeps the caller until the callee has finished. An asynchronous call hands
the work to someone else (a thread, a process, an asyncio task) and gives the caller control
back at once. Each spec holds the callee back until the caller has done something, so the
order of events is fixed, not a matter of timing.
"""

import asyncio
import os
import threading

import pytest

from pytest_concurrency import assert_blocks, hang_bound, wait_until
from pytest_concurrency.spec_support.workloads import fetch_then_pid


@pytest.mark.claim("BAS-1", verdict="holds")
def test_a_synchronous_call_keeps_the_caller_until_the_callee_has_finished():
    """While the callee waits for a gate, the caller's call does not return; once the gate
    opens the callee finishes, and only then does the caller go on."""
    events = []
    gate = threading.Event()

    def caller():
        callee()
        events.append("caller goes on")

    def callee():
        gate.wait(hang_bound())
        events.append("callee finishes")

    with assert_blocks(caller):
        events.append("gate opens")
        gate.set()

    assert events == ["gate opens", "callee finishes", "caller goes on"]


@pytest.mark.claim("BAS-2", "BAS-3", verdict="holds")
def test_a_thread_runs_the_call_while_the_caller_goes_on(thread_executor):
    """submit() to a thread pool returns before the callee has finished: the caller records
    its event first, then lets the callee finish."""
    events = []
    gate = threading.Event()

    def callee():
        gate.wait(hang_bound())
        events.append("callee finishes")

    future = thread_executor.submit(callee)
    events.append("caller goes on")
    gate.set()
    future.result(hang_bound())

    assert events == ["caller goes on", "callee finishes"]


@pytest.mark.claim("BAS-2", "BAS-3", verdict="holds")
def test_a_process_runs_the_call_while_the_caller_goes_on(
    http_server, executor_factory, start_method
):
    """submit() to a process pool returns while the callee, in a worker process, waits for an
    answer the server holds back: the caller sees the request in flight and the call
    unfinished, then lets the callee finish."""
    pool = executor_factory(f"process-{start_method}")
    http_server.hold()

    future = pool.submit(fetch_then_pid, http_server.url("/callee"))
    wait_until(lambda: http_server.in_flight == 1, timeout=hang_bound("medium"))
    unfinished_while_the_caller_went_on = not future.done()
    http_server.release()
    worker = future.result(hang_bound("medium"))

    assert unfinished_while_the_caller_went_on
    assert worker != os.getpid()


@pytest.mark.claim("BAS-2", "BAS-3", verdict="holds")
async def test_an_asyncio_task_runs_the_call_while_the_caller_goes_on():
    """create_task() returns a task at once; the coroutine finishes only after the caller has
    gone on and released it."""
    events = []
    gate = asyncio.Event()

    async def callee():
        await asyncio.wait_for(gate.wait(), timeout=hang_bound())
        events.append("callee finishes")

    task = asyncio.create_task(callee())
    events.append("caller goes on")
    gate.set()
    await task

    assert events == ["caller goes on", "callee finishes"]
