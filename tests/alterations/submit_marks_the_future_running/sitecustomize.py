"""ThreadPoolExecutor.submit marks the new future running itself, before any worker has taken
the call (the worker then runs it as usual)."""

import concurrent.futures._base as base
from concurrent.futures import ThreadPoolExecutor

CLAIMS = ("CF-5", "CF-6", "CF-7", "CF-9", "CF-17", "EX-1")
SPECS = (
    "specs/concurrent_futures/test_future_states.py::test_a_thread_pool_future_goes_pending_running_finished",
    "specs/concurrent_futures/test_future_states.py::test_cancel_succeeds_only_on_calls_that_have_not_started",
    "specs/concurrent_futures/test_future_states.py::test_only_a_pending_future_can_be_cancelled",
    "specs/concurrent_futures/test_max_workers.py::test_before_3_13_the_cap_of_32_applies_to_the_machine_cpu_count",
    "specs/concurrent_futures/test_max_workers.py::test_before_3_13_the_default_ignores_cpu_affinity",
    "specs/concurrent_futures/test_max_workers.py::test_the_default_pool_has_cpu_count_plus_four_threads",
    "specs/concurrent_futures/test_submit.py::test_a_thread_pool_future_is_pending_until_a_worker_thread_takes_it",
    "specs/concurrent_futures/test_submit.py::test_with_one_thread_busy_later_futures_wait_as_pending",
    "specs/worked_examples/test_ex01_downloads.py::test_with_one_worker_the_first_download_runs_and_the_others_wait",
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
