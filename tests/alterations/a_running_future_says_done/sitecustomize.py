"""Future.done() is True as soon as the call has started: a running future says it is done."""

import concurrent.futures._base as base

CLAIMS = ("CF-4",)
SPECS = (
    "specs/concurrent_futures/test_submit.py::test_submit_returns_a_future_before_the_call_has_finished",
)
ARGS = ("--executor-kinds=thread,process-fork",)

_original_done = base.Future.done


def _done(self):
    return self._state == base.RUNNING or _original_done(self)


base.Future.done = _done
