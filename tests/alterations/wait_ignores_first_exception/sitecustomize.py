"""concurrent.futures.wait ignores return_when=FIRST_EXCEPTION and waits for every future, as
ALL_COMPLETED does (its timeout still holds). With a timeout as long as the held request, the
pair it returns when the timeout runs out is the very pair FIRST_EXCEPTION gives at once."""

import concurrent.futures

CLAIMS = ("CF-11",)
SPECS = (
    "specs/concurrent_futures/test_wait.py::test_first_exception_returns_as_soon_as_a_future_raises",
)

_original_wait = concurrent.futures.wait


def _wait(fs, timeout=None, return_when=concurrent.futures.ALL_COMPLETED):
    if return_when == concurrent.futures.FIRST_EXCEPTION:
        return_when = concurrent.futures.ALL_COMPLETED
    return _original_wait(fs, timeout, return_when)


concurrent.futures.wait = _wait
