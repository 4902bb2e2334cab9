"""Future.result() returns the exception a call raised instead of raising it."""

import concurrent.futures._base as base

CLAIMS = ("CF-6",)
SPECS = (
    "specs/concurrent_futures/test_future_states.py::test_result_raises_the_exception_the_call_raised",
)
ARGS = ("--executor-kinds=thread,process-fork",)

_original_result = base.Future.result


def _result(self, timeout=None):
    try:
        return _original_result(self, timeout)
    except (base.CancelledError, TimeoutError):
        raise
    except Exception as error:
        return error


base.Future.result = _result
