"""asyncio.run does not cancel the tasks still pending when the main coroutine returns: it
closes the loop with them never finished (and never told)."""

import asyncio
import asyncio.runners

CLAIMS = ("FUT-5",)
SPECS = (
    "specs/futures_and_tasks/test_run.py::test_tasks_still_pending_when_the_coroutine_ends_are_cancelled",
)

asyncio.runners._cancel_all_tasks = lambda loop: None
