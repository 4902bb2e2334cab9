"""concurrent.futures.wait fails with a RecursionError from deep inside itself: its traceback
holds about a thousand frames, which pytest must still report as one failed spec."""

import concurrent.futures

CLAIMS = ("CF-10", "CF-12")
SPECS = (
    "specs/concurrent_futures/test_wait.py::test_wait_splits_the_futures_into_done_and_not_done",
    "specs/concurrent_futures/test_wait.py::test_wait_with_a_timeout_returns_what_finished_without_raising",
)


def _descend(depth, fs, timeout, return_when):
    return _descend(depth + 1, fs, timeout, return_when)


def _wait(fs, timeout=None, return_when=concurrent.futures.ALL_COMPLETED):
    return _descend(0, fs, timeout, return_when)


concurrent.futures.wait = _wait
