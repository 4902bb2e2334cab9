"""threading.Event.wait(timeout) on an unset event gives up at once, as if the timeout had
run out, instead of waiting for set() (an unbounded wait() still waits)."""

import threading

CLAIMS = ("BAS-1", "BAS-4", "CF-5", "CF-17")
SPECS = (
    "specs/foundations/test_sync_vs_async.py::test_a_synchronous_call_keeps_the_caller_until_the_callee_has_finished",
    "specs/foundations/test_shared_state.py::test_a_lock_makes_the_second_thread_wait_until_the_first_has_written",
    "specs/concurrent_futures/test_submit.py::test_with_one_thread_busy_later_futures_wait_as_pending",
    "specs/concurrent_futures/test_submit.py::test_a_thread_pool_future_is_pending_until_a_worker_thread_takes_it",
)

_original_wait = threading.Event.wait


def _wait(self, timeout=None):
    if timeout is not None:
        return self.is_set()
    return _original_wait(self)


threading.Event.wait = _wait
