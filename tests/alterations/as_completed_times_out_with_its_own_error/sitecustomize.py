"""concurrent.futures.TimeoutError is a class of its own again (as on 3.10), and as_completed
raises it when its timeout runs out, instead of the builtin TimeoutError."""

import concurrent.futures
import concurrent.futures._base as base

CLAIMS = ("CF-13",)
SPECS = (
    "specs/concurrent_futures/test_as_completed.py::test_from_3_11_as_completed_times_out_with_the_builtin_timeout_error",
)
ARGS = ("--executor-kinds=thread",)
PYTHON = ">=3.11"


class TimeoutError(base.Error):  # the name 3.10 gave it
    """concurrent.futures' own timeout, not the builtin one."""


_original_as_completed = concurrent.futures.as_completed


def _as_completed(fs, timeout=None):
    try:
        yield from _original_as_completed(fs, timeout)
    except builtins_timeout as error:
        raise TimeoutError(*error.args) from None


builtins_timeout = base.TimeoutError
concurrent.futures.TimeoutError = base.TimeoutError = TimeoutError
concurrent.futures.as_completed = _as_completed
