"""A future still waiting for a worker says it is running: running() is True while pending."""

import concurrent.futures._base as base

CLAIMS = ("CF-5", "CF-6", "CF-7", "CF-8", "CF-9", "CF-17", "EX-1")
SPECS = (
    "specs/concurrent_futures/test_future_states.py::test_a_future_can_be_made_and_driven_by_hand",
    "specs/concurrent_futures/test_future_states.py::test_a_process_pool_reports_running_before_its_worker_is_ready",
    "specs/concurrent_futures/test_future_states.py::test_a_thread_pool_future_goes_pending_running_finished",
    "specs/concurrent_futures/test_future_states.py::test_only_a_pending_future_can_be_cancelled",
    "specs/concurrent_futures/test_max_workers.py::test_before_3_13_the_cap_of_32_applies_to_the_machine_cpu_count",
    "specs/concurrent_futures/test_max_workers.py::test_before_3_13_the_default_ignores_cpu_affinity",
    "specs/concurrent_futures/test_max_workers.py::test_the_default_pool_has_cpu_count_plus_four_threads",
    "specs/concurrent_futures/test_submit.py::test_a_thread_pool_future_is_pending_until_a_worker_thread_takes_it",
    "specs/concurrent_futures/test_submit.py::test_with_one_process_busy_two_more_futures_already_report_running",
    "specs/concurrent_futures/test_submit.py::test_with_one_thread_busy_later_futures_wait_as_pending",
    "specs/worked_examples/test_ex01_downloads.py::test_with_one_worker_the_first_download_runs_and_the_others_wait",
)

_original_running = base.Future.running


def _running(self):
    with self._condition:
        if self._state == base.PENDING:
            return True
    return _original_running(self)


base.Future.running = _running
