"""concurrent.futures.as_completed yields every future at once, in the order given, finished
or not: next() never waits."""

import concurrent.futures

CLAIMS = ("CF-13", "CF-15")
SPECS = (
    "specs/concurrent_futures/test_as_completed.py::test_as_completed_yields_a_quick_future_before_a_held_one",
    "specs/concurrent_futures/test_as_completed.py::test_iterating_as_completed_blocks_until_the_next_future_finishes",
)
ARGS = ("--executor-kinds=thread,process-fork",)


def _as_completed(fs, timeout=None):
    yield from dict.fromkeys(fs)


concurrent.futures.as_completed = _as_completed
