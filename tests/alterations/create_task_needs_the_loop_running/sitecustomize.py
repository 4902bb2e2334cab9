"""loop.create_task, called by the specs' own code on a loop nobody is running, raises
RuntimeError as asyncio.create_task does without a running loop. (Calls from the standard
library and pytest-asyncio, such as run_until_complete's, are left alone.)"""

import asyncio
import sys

CLAIMS = ("LOOP-8",)
SPECS = (
    "specs/event_loop/test_running_loop.py::test_loop_create_task_accepts_a_loop_that_is_not_running",
)

_original = asyncio.BaseEventLoop.create_task


def _create_task(self, coro, **kwargs):
    caller = sys._getframe(1).f_code.co_filename.replace("\\", "/")
    if "/specs/" in caller and not self.is_running():
        coro.close()
        raise RuntimeError("no running event loop")
    return _original(self, coro, **kwargs)


asyncio.BaseEventLoop.create_task = _create_task
