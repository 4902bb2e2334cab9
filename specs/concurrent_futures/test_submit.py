"""submit(): schedule a call, get a Future back at once.

``submit`` only queues the call and returns its Future; it never marks the future running
itself. Who does, and when, differs by pool:

* in a ThreadPoolExecutor, the worker thread that takes the call from the queue marks it
  running just before calling it;
* in a ProcessPoolExecutor, a manager thread in this process marks it running when it moves the
  call onto the queue that feeds the worker processes. That queue holds ``max_workers + 1``
  calls, so futures are reported running before any worker has started them.

So the first future is not made running *by* submit: another thread does it on its own
schedule, and whether that happens before submit returns is a race. The specs therefore wait
for the change with ``wait_until``, and show submit's own part by holding the worker back.
Work is held back with gates: a ``Gate`` (an event whose waits are bounded) for threads, and
the loopback server's ``hold()`` for processes (a worker process fetching a held URL waits until
``release()``).
"""

import concurrent.futures

import pytest

from pytest_concurrency import Gate, future_state, hang_bound, wait_until
from pytest_concurrency.spec_support.workloads import fetch

NOT_AT_ONCE = (
    "the note says the first call always runs from the moment of submit; submit() never "
    "marks a future running itself: a worker thread (thread pool) or the pool's "
    "manager thread (process pool) does, on its own schedule, so right after submit() returns "
    "the first future may still be pending"
)
QUEUED_COUNTS_AS_RUNNING = (
    "the note says a later call starts out pending when no worker is free; a process pool "
    "marks a future running when it queues the call for its workers; the queue "
    "holds max_workers + 1 calls, so with one worker busy two more futures also report running"
)


@pytest.mark.claim("CF-4", verdict="holds")
@pytest.mark.contract
def test_submit_returns_a_future_before_the_call_has_finished(http_server, executor):
    """submit() hands back a Future while the call is still blocked in a worker, on every kind
    of executor."""
    http_server.hold()

    future = executor.submit(fetch, http_server.url("/slow"))
    wait_until(lambda: http_server.in_flight == 1, timeout=hang_bound("medium"))

    assert isinstance(future, concurrent.futures.Future)
    assert not future.done()
    http_server.release()
    assert future.result(hang_bound("medium")) == b"body of /slow\n"


@pytest.mark.claim("CF-4", verdict="holds")
@pytest.mark.contract
def test_each_submit_runs_its_own_call_even_with_the_same_arguments(http_server, executor):
    """Two submit() calls of the same function with the same argument run it twice, on every
    kind of executor: each returns a future of its own, and the server sees two requests."""
    url = http_server.url("/same")

    futures = [executor.submit(fetch, url) for _ in range(2)]
    bodies = [future.result(hang_bound("medium")) for future in futures]

    assert futures[0] is not futures[1]
    assert bodies == [b"body of /same\n", b"body of /same\n"]
    assert http_server.requests == ["/same", "/same"]


@pytest.mark.claim("CF-5", "CF-9", verdict="erratum", note=NOT_AT_ONCE)
@pytest.mark.contract
def test_a_thread_pool_future_is_pending_until_a_worker_thread_takes_it(executor_factory):
    """submit() leaves the future pending; only a worker thread makes it running. Here the
    worker is held in its initializer, so the future stays pending after submit() returns, and
    becomes running as soon as the worker is let go."""
    worker_may_start = Gate("worker may start")
    call_may_end = Gate("call may end")
    pool = executor_factory(
        "thread",
        max_workers=1,
        initializer=worker_may_start.wait,
        initargs=(hang_bound("medium"),),
        fresh=True,  # a worker that has not started yet
    )

    future = pool.submit(call_may_end.wait, hang_bound("medium"))
    after_submit = future_state(future)
    worker_may_start.open()
    wait_until(future.running)
    once_taken = future_state(future)
    call_may_end.open()
    future.result(hang_bound())

    assert [after_submit, once_taken, future_state(future)] == ["pending", "running", "finished"]


@pytest.mark.claim("CF-17", verdict="holds")
@pytest.mark.executor_kinds("thread")
@pytest.mark.contract
def test_with_one_thread_busy_later_futures_wait_as_pending(executor_factory):
    """With max_workers=1, the first call runs and every later one waits, pending, until the
    worker is free."""
    gate = Gate()
    pool = executor_factory("thread", max_workers=1)

    futures = [pool.submit(gate.wait, hang_bound("medium")) for _ in range(3)]
    wait_until(futures[0].running)
    while_busy = [future_state(f) for f in futures]
    gate.open()
    results = [f.result(hang_bound()) for f in futures]

    assert while_busy == ["running", "pending", "pending"]
    assert results == [True, True, True]


@pytest.mark.claim("CF-17", verdict="erratum", note=QUEUED_COUNTS_AS_RUNNING)
@pytest.mark.contract
def test_with_one_process_busy_two_more_futures_already_report_running(
    http_server, start_method, executor_factory
):
    """With max_workers=1 and its one worker busy, a process pool reports the next two futures
    as running too: they wait in the queue that feeds the workers (max_workers + 1 places).
    Only the fourth future is pending, and only one call has reached the server."""
    pool = executor_factory(f"process-{start_method}", max_workers=1)
    http_server.hold()

    first = pool.submit(fetch, http_server.url("/1"))
    wait_until(lambda: http_server.in_flight == 1, timeout=hang_bound("medium"))
    later = [pool.submit(fetch, http_server.url(f"/{n}")) for n in (2, 3, 4)]
    wait_until(later[1].running)  # the manager thread has filled the queue
    while_busy = [future_state(f) for f in [first, *later]]
    calls_started = list(http_server.requests)
    http_server.release()
    bodies = [f.result(hang_bound("medium")) for f in [first, *later]]

    assert while_busy == ["running", "running", "running", "pending"]
    assert calls_started == ["/1"]
    assert bodies == [f"body of /{n}\n".encode() for n in (1, 2, 3, 4)]
