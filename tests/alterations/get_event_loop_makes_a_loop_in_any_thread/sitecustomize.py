"""asyncio.get_event_loop makes and sets a new loop in any thread that has none, instead of
raising outside the main thread."""

import asyncio

CLAIMS = ("LOOP-5",)
SPECS = ("specs/event_loop/test_get_event_loop.py::test_another_thread_gets_no_loop_made_for_it",)

_original_get_event_loop = asyncio.get_event_loop


def _get_event_loop():
    try:
        return _original_get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


asyncio.get_event_loop = asyncio.events.get_event_loop = _get_event_loop
