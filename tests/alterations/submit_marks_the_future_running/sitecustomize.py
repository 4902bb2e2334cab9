"""ThreadPoolExecutor.submit marks the new future running itself, before any worker has taken
the call (the worker then runs it as usual)."""

import concurrent.futures._base as base
from concurrent.futures import ThreadPoolExecutor

CLAIMS = ("CF-5",)
SPECS = (
    "specs/concurrent_futures/test_submit.py::test_a_thread_pool_future_is_pending_until_a_worker_thread_takes_it",
)

_original_submit = ThreadPoolExecutor.submit
_original_set_running = base.Future.set_running_or_notify_cancel


def _submit(self, fn, /, *args, **kwargs):
    future = _original_submit(self, fn, *args, **kwargs)
    with future._condition:
        if future._state == base.PENDING:
            future._state = base.RUNNING
    return future


def _set_running_or_notify_cancel(self):
    with self._condition:
        if self._state == base.RUNNING:  # submit has done it already
            return True
    return _original_set_running(self)


ThreadPoolExecutor.submit = _submit
base.Future.set_running_or_notify_cancel = _set_running_or_notify_cancel
