"""concurrent.futures.as_completed never yields and ignores its timeout: iterating it blocks
for ever. A spec that waited without its own bound would hang the run."""

import concurrent.futures
import threading

CLAIMS = ("CF-13",)
# One spec: each one that iterates it hangs until the hang guard fails it (120 s by default).
SPECS = (
    "specs/concurrent_futures/test_as_completed.py::test_as_completed_follows_the_finishing_order_not_the_submission_order",
)
ARGS = ("--executor-kinds=thread",)  # every kind hangs until the guard's bound: one kind is enough


def _as_completed(fs, timeout=None):
    threading.Event().wait()  # never set: no timeout, no future, ends this wait
    yield from ()


concurrent.futures.as_completed = _as_completed
