"""asyncio.wait ignores return_when and always waits for every task (ALL_COMPLETED); its
timeout still holds."""

import asyncio

CLAIMS = ("AIO-18",)
SPECS = (
    "specs/asyncio_basics/test_wait.py::test_first_completed_returns_as_soon_as_one_task_finishes",
    "specs/asyncio_basics/test_wait.py::test_first_exception_returns_at_the_first_failure_without_raising_it",
)

_original_wait = asyncio.wait


async def _wait(fs, *, timeout=None, return_when=asyncio.ALL_COMPLETED):
    return await _original_wait(fs, timeout=timeout)


asyncio.wait = asyncio.tasks.wait = _wait
