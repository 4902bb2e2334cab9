"""asyncio.run called while a loop is running closes the coroutine and returns None, instead
of raising RuntimeError."""

import asyncio
import asyncio.events

CLAIMS = ("FUT-6",)
SPECS = (
    "specs/futures_and_tasks/test_run.py::test_asyncio_run_refuses_to_run_inside_a_running_loop",
)

_original_run = asyncio.run


def _run(main, **kwargs):
    if asyncio.events._get_running_loop() is not None:
        main.close()
        return None
    return _original_run(main, **kwargs)


asyncio.run = asyncio.runners.run = _run
