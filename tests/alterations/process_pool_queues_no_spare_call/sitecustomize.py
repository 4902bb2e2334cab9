"""A ProcessPoolExecutor's call queue holds exactly max_workers calls, with no spare place: a
future is reported running only when a worker is free to take its call."""

import concurrent.futures.process

CLAIMS = ("CF-9", "CF-17")
# CF-9's process-pool spec catches it too, after a medium bound (30 s): left out for speed.
SPECS = (
    "specs/concurrent_futures/test_future_states.py::test_a_process_pool_reports_running_before_its_worker_is_ready",
    "specs/concurrent_futures/test_submit.py::test_with_one_process_busy_two_more_futures_already_report_running",
)
ARGS = ("--start-methods=fork",)

if concurrent.futures.process.EXTRA_QUEUED_CALLS != 1:
    raise RuntimeError("expected concurrent.futures.process.EXTRA_QUEUED_CALLS == 1")
concurrent.futures.process.EXTRA_QUEUED_CALLS = 0
