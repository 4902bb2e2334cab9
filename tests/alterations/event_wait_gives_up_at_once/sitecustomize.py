"""threading.Event.wait(timeout) on an unset event gives up at once, as if the timeout had
run out, instead of waiting for set() (an unbounded wait() still waits)."""

import threading

CLAIMS = ("CF-5",)
SPECS = (
    "specs/concurrent_futures/test_submit.py::test_with_one_thread_busy_later_futures_wait_as_pending",
    "specs/concurrent_futures/test_submit.py::test_a_thread_pool_future_is_pending_until_a_worker_thread_takes_it",
)

_original_wait = threading.Event.wait


def _wait(self, timeout=None):
    if timeout is not None:
        return self.is_set()
    return _original_wait(self)


threading.Event.wait = _wait
