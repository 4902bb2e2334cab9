"""Future.cancel() succeeds on a running future too (it is marked cancelled while its call
goes on), not only on a pending one."""

import concurrent.futures._base as base

CLAIMS = ("CF-6",)
SPECS = (
    "specs/concurrent_futures/test_future_states.py::test_only_a_pending_future_can_be_cancelled",
)

_original_cancel = base.Future.cancel


def _cancel(self):
    with self._condition:
        if self._state == base.RUNNING:
            self._state = base.PENDING  # the original then cancels it like a pending one
    return _original_cancel(self)


base.Future.cancel = _cancel
