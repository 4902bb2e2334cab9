"""concurrent.futures.as_completed yields the futures in the order given, each once it has
finished, instead of in the order they finish (its timeout still holds)."""

import concurrent.futures
import time

CLAIMS = ("CF-13", "CF-14")
SPECS = (
    "specs/concurrent_futures/test_as_completed.py::test_as_completed_follows_the_finishing_order_not_the_submission_order",
    "specs/concurrent_futures/test_as_completed.py::test_futures_finished_before_the_call_come_out_first",
)
ARGS = ("--executor-kinds=thread",)  # every kind waits out its timeout: one kind is enough


def _as_completed(fs, timeout=None):
    deadline = None if timeout is None else time.monotonic() + timeout
    futures = list(dict.fromkeys(fs))
    for number, future in enumerate(futures):
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        done, _ = concurrent.futures.wait([future], timeout=left)
        if not done:
            unfinished = len(futures) - number
            raise TimeoutError(f"{unfinished} (of {len(futures)}) futures unfinished")
        yield future


concurrent.futures.as_completed = _as_completed
