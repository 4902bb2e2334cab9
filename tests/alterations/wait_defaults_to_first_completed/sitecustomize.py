"""concurrent.futures.wait's return_when defaults to FIRST_COMPLETED instead of
ALL_COMPLETED."""

import concurrent.futures

CLAIMS = ("CF-11",)
SPECS = (
    "specs/concurrent_futures/test_wait.py::test_return_when_takes_three_constants_and_defaults_to_all_completed",
    "specs/concurrent_futures/test_wait.py::test_by_default_wait_blocks_until_every_future_has_finished",
)
ARGS = ("--executor-kinds=thread",)

_original_wait = concurrent.futures.wait


def _wait(fs, timeout=None, return_when=concurrent.futures.FIRST_COMPLETED):
    return _original_wait(fs, timeout, return_when)


concurrent.futures.wait = _wait
