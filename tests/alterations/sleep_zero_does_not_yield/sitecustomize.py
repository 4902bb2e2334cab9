"""await asyncio.sleep(0) returns at once without letting other tasks run."""

import asyncio

CLAIMS = ("AIO-23",)
SPECS = (
    "specs/asyncio_basics/test_sleep.py::test_sleep_zero_lets_every_other_ready_task_take_one_step",
)

_original_sleep = asyncio.sleep


async def _sleep(delay, result=None):
    if delay <= 0:
        return result
    return await _original_sleep(delay, result)


asyncio.sleep = asyncio.tasks.sleep = _sleep
