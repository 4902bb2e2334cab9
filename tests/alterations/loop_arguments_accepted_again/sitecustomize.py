"""asyncio.gather and asyncio.as_completed accept a loop= argument again (and ignore it), as
before Python 3.10."""

import asyncio

CLAIMS = ("AIO-17",)
SPECS = (
    "specs/asyncio_basics/test_as_completed.py::test_as_completed_rejects_a_loop_argument",
    "specs/asyncio_basics/test_gather.py::test_gather_rejects_a_loop_argument",
)

_original_gather = asyncio.gather
_original_as_completed = asyncio.as_completed


def _gather(*aws, loop=None, return_exceptions=False):
    return _original_gather(*aws, return_exceptions=return_exceptions)


def _as_completed(fs, *, loop=None, timeout=None):
    return _original_as_completed(fs, timeout=timeout)


asyncio.gather = asyncio.tasks.gather = _gather
asyncio.as_completed = asyncio.tasks.as_completed = _as_completed
