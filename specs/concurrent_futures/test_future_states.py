"""Future: a handle on a call, with a result and a state.

A future starts pending, becomes running, and ends finished (with a result or an exception),
unless it is cancelled while still pending. ``result()`` waits for the end; ``done()``,
``running()`` and ``cancelled()`` read the state without waiting.

For a thread pool "running" means what it says: a worker thread has started the call. For a
process pool it means the call has been queued for the worker processes, which may not have
started it, and may not even be ready; such a future can no longer be cancelled.
"""

import concurrent.futures

import pytest

from pytest_concurrency import Gate, future_state, hang_bound, wait_until
from pytest_concurrency.spec_support.workloads import fetch, raise_value_error, square

CANCELLED_IS_A_STATE = (
    "cancelled() is one of the state methods the note lists; cancel() succeeds only while the "
    "future is still pending"
)
QUEUED_IS_RUNNING = (
    "in a process pool a future turns running when the call is queued for the workers, before "
    "any worker starts it (even while the only worker is still in its initializer), and from "
    "then on it cannot be cancelled"
)


@pytest.mark.claim("CF-6", verdict="holds")
@pytest.mark.contract
def test_result_and_the_state_methods_report_a_finished_call(executor):
    """Once the call has returned, result() gives its value and the state methods say the
    future is done, not running and not cancelled."""
    future = executor.submit(square, 12)

    value = future.result(hang_bound("medium"))

    assert value == 144
    assert (future.done(), future.running(), future.cancelled()) == (True, False, False)


@pytest.mark.claim("CF-6", verdict="holds")
@pytest.mark.contract
def test_result_raises_the_exception_the_call_raised(executor):
    """A call that raised finishes all the same; result() raises its exception again, in the
    caller, and exception() returns it."""
    future = executor.submit(raise_value_error, "bad input")

    with pytest.raises(ValueError, match="bad input"):
        future.result(hang_bound("medium"))
    assert isinstance(future.exception(), ValueError)
    assert future.done()


@pytest.mark.claim("CF-8", verdict="holds")
@pytest.mark.contract
def test_a_future_can_be_made_and_driven_by_hand():
    """A Future can be built directly, as the docs allow for tests: the code that owns it then
    moves it from pending to running to finished itself."""
    future = concurrent.futures.Future()
    seen = [future_state(future)]

    future.set_running_or_notify_cancel()
    seen.append(future_state(future))
    future.set_result("by hand")
    seen.append(future_state(future))

    assert seen == ["pending", "running", "finished"]
    assert future.result(hang_bound()) == "by hand"


@pytest.mark.claim("CF-17", verdict="holds")
@pytest.mark.executor_kinds("thread")
@pytest.mark.contract
def test_a_thread_pool_future_goes_pending_running_finished(executor_factory):
    """In a thread pool, a future waits pending while the only worker is busy, turns running
    when the worker takes it, and finishes when the call returns."""
    first_may_end = Gate("first may end")
    second_may_end = Gate("second may end")
    pool = executor_factory("thread", max_workers=1)
    pool.submit(first_may_end.wait, hang_bound("medium"))

    future = pool.submit(second_may_end.wait, hang_bound("medium"))
    seen = [future_state(future)]
    first_may_end.open()
    wait_until(future.running)
    seen.append(future_state(future))
    second_may_end.open()
    future.result(hang_bound())
    seen.append(future_state(future))

    assert seen == ["pending", "running", "finished"]


@pytest.mark.claim("CF-6", verdict="holds", note=CANCELLED_IS_A_STATE)
@pytest.mark.contract
def test_only_a_pending_future_can_be_cancelled(executor_factory):
    """cancel() succeeds on a future still waiting for a worker and fails on one that is
    running; the cancelled future ends cancelled without ever running."""
    gate = Gate()
    pool = executor_factory("thread", max_workers=1)
    running = pool.submit(gate.wait, hang_bound("medium"))
    waiting = pool.submit(gate.wait, hang_bound("medium"))
    wait_until(running.running)

    outcomes = [running.cancel(), waiting.cancel()]
    gate.open()
    running.result(hang_bound())

    assert outcomes == [False, True]
    assert [future_state(running), future_state(waiting)] == ["finished", "cancelled"]


@pytest.mark.claim("CF-6", verdict="holds", note=CANCELLED_IS_A_STATE)
@pytest.mark.contract
def test_a_future_whose_call_has_started_is_running_and_cannot_be_cancelled(http_server, executor):
    """Once a worker has started the call, on every kind of executor, the future reports
    running and cancel() fails: the call goes on and its result arrives."""
    http_server.hold()
    future = executor.submit(fetch, http_server.url("/started"))
    wait_until(lambda: http_server.in_flight == 1, timeout=hang_bound("medium"))

    state_once_started = future_state(future)
    cancelled = future.cancel()
    http_server.release()

    assert (state_once_started, cancelled) == ("running", False)
    assert future.result(hang_bound("medium")) == b"body of /started\n"


@pytest.mark.claim("CF-6", verdict="holds", note=CANCELLED_IS_A_STATE)
@pytest.mark.contract
def test_cancel_succeeds_only_on_calls_that_have_not_started(
    http_server, executor_kind, executor_factory
):
    """With the one worker busy on a held call, cancel() succeeds on the last of many calls
    queued behind it, and after the release exactly the calls whose cancel() failed have run:
    a cancelled call never starts, and a started one is never cancelled."""
    pool = executor_factory(executor_kind, max_workers=1)
    http_server.hold()
    paths = [f"/{n}" for n in range(1, 9)]
    futures = [pool.submit(fetch, http_server.url(path)) for path in paths]
    wait_until(lambda: http_server.in_flight >= 1, timeout=hang_bound("medium"))

    cancelled = [future.cancel() for future in futures]
    http_server.release()
    for future, was_cancelled in zip(futures, cancelled, strict=True):
        if not was_cancelled:
            future.result(hang_bound("medium"))

    assert cancelled[-1] is True
    assert [future.cancelled() for future in futures] == cancelled
    assert sorted(http_server.requests) == sorted(
        path for path, was_cancelled in zip(paths, cancelled, strict=True) if not was_cancelled
    )


@pytest.mark.claim("CF-9", "CF-17", verdict="erratum", note=QUEUED_IS_RUNNING)
@pytest.mark.contract
def test_a_process_pool_reports_running_before_its_worker_is_ready(
    http_server, start_method, executor_factory
):
    """A process pool with one worker, held in its initializer, runs nothing; yet the first two
    futures already report running (they are in the workers' queue, max_workers + 1 places)
    and only the third is pending. The queued ones can no longer be cancelled."""
    http_server.hold()
    pool = executor_factory(
        f"process-{start_method}",
        max_workers=1,
        initializer=fetch,
        initargs=(http_server.url("/initializer"),),
        fresh=True,  # a worker that is not ready yet
    )

    futures = [pool.submit(fetch, http_server.url(f"/{n}")) for n in (1, 2, 3)]
    # The pool's manager thread queues the calls at once, whether the worker is ready or not:
    # the short bound. The worker's start (a spawn on a loaded machine) may take longer.
    wait_until(futures[1].running, timeout=hang_bound("short"))
    wait_until(lambda: http_server.in_flight == 1, timeout=hang_bound("medium"))
    states = [future_state(f) for f in futures]
    calls_started = list(http_server.requests)
    cancelled = [f.cancel() for f in futures]
    http_server.release()

    assert states == ["running", "running", "pending"]
    assert calls_started == ["/initializer"]
    assert cancelled == [False, False, True]
    assert [f.result(hang_bound("medium")) for f in futures[:2]] == [
        b"body of /1\n",
        b"body of /2\n",
    ]
