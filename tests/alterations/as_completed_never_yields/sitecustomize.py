"""concurrent.futures.as_completed never yields and ignores its timeout: iterating it blocks
for ever. A spec that waited without its own bound would hang the run."""

import concurrent.futures
import threading

CLAIMS = ("CF-13",)
# One spec: each one that iterates it hangs until the hang guard fails it.
SPECS = (
    "specs/concurrent_futures/test_as_completed.py::test_as_completed_follows_the_finishing_order_not_the_submission_order",
)
# Every kind hangs until the hang guard's bound: one kind is enough, and a medium guard (30 s)
# ends the hang sooner than the repository's long one (120 s).
ARGS = ("--executor-kinds=thread", "--hang-guard=medium")


def _as_completed(fs, timeout=None):
    threading.Event().wait()  # never set: no timeout, no future, ends this wait
    yield from ()


concurrent.futures.as_completed = _as_completed
