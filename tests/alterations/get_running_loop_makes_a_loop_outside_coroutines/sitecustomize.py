"""asyncio.get_running_loop() with no loop running hands back a new loop instead of raising
RuntimeError (so create_task outside a coroutine makes a task on that loop)."""

import asyncio
import asyncio.events

CLAIMS = ("LOOP-2", "LOOP-6")
SPECS = (
    "specs/event_loop/test_running_loop.py::test_asyncio_create_task_needs_a_running_loop",
    "specs/event_loop/test_running_loop.py::test_outside_a_coroutine_there_is_no_running_loop",
)

_original = asyncio.events.get_running_loop


def _get_running_loop():
    try:
        return _original()
    except RuntimeError:
        return asyncio.new_event_loop()


asyncio.get_running_loop = asyncio.events.get_running_loop = _get_running_loop
