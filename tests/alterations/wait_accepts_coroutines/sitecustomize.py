"""asyncio.wait accepts bare coroutines again (wrapping them in tasks), as before Python 3.11."""

import asyncio

CLAIMS = ("AIO-24",)
SPECS = ("specs/asyncio_basics/test_wait.py::test_wait_refuses_bare_coroutines_from_python_3_11",)
PYTHON = ">=3.11"  # 3.10's wait accepts coroutines anyway

_original_wait = asyncio.wait


async def _wait(fs, *, timeout=None, return_when=asyncio.ALL_COMPLETED):
    futures = [asyncio.ensure_future(f) if asyncio.iscoroutine(f) else f for f in fs]
    return await _original_wait(futures, timeout=timeout, return_when=return_when)


asyncio.wait = asyncio.tasks.wait = _wait
