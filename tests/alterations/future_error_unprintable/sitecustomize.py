"""Future.result() re-raises a call's exception as an error that cannot be printed: its
__str__ and __repr__ raise, so pytest cannot format the failure in the usual way."""

import concurrent.futures._base as base

CLAIMS = ("CF-6",)
SPECS = (
    "specs/concurrent_futures/test_future_states.py::test_result_raises_the_exception_the_call_raised",
)


class UnprintableError(Exception):
    def __str__(self):
        raise RuntimeError("this error cannot be printed")

    def __repr__(self):
        raise RuntimeError("this error cannot be represented")


_original_result = base.Future.result


def _result(self, timeout=None):
    try:
        return _original_result(self, timeout)
    except Exception as error:
        if isinstance(error, (TimeoutError, base.CancelledError)):
            raise
        raise UnprintableError() from None


base.Future.result = _result
