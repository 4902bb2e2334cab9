"""A future still waiting for a worker says it is running: running() is True while pending."""

import concurrent.futures._base as base

CLAIMS = ("CF-5", "CF-9")
SPECS = (
    "specs/concurrent_futures/test_submit.py::test_with_one_thread_busy_later_futures_wait_as_pending",
    "specs/concurrent_futures/test_future_states.py::test_a_thread_pool_future_goes_pending_running_finished",
)

_original_running = base.Future.running


def _running(self):
    with self._condition:
        if self._state == base.PENDING:
            return True
    return _original_running(self)


base.Future.running = _running
