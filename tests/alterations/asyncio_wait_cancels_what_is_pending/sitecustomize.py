"""asyncio.wait cancels the tasks still pending when it returns (by its timeout or its
return_when), instead of leaving them running."""

import asyncio

CLAIMS = ("AIO-18",)
SPECS = (
    "specs/asyncio_basics/test_wait.py::test_a_timeout_returns_what_finished_by_then_without_raising_or_cancelling",
    "specs/asyncio_basics/test_wait.py::test_first_completed_returns_as_soon_as_one_task_finishes",
    "specs/asyncio_basics/test_wait.py::test_first_exception_returns_at_the_first_failure_without_raising_it",
)

_original_wait = asyncio.wait


async def _wait(fs, *, timeout=None, return_when=asyncio.ALL_COMPLETED):
    done, pending = await _original_wait(fs, timeout=timeout, return_when=return_when)
    for future in pending:
        future.cancel()
    return done, pending


asyncio.wait = asyncio.tasks.wait = _wait
