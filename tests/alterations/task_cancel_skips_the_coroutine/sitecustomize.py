"""Task.cancel() on a task the specs' own code created closes its coroutine and marks the task
cancelled at once: the coroutine never sees CancelledError, so its except and cleanup code for
it never run. (Tasks made by pytest-asyncio and the standard library are left alone.)"""

import asyncio
import sys

CLAIMS = ("FUT-3",)
SPECS = (
    "specs/futures_and_tasks/test_task.py::test_cancelling_a_task_raises_cancelled_error_inside_its_coroutine",
)


class _Task(asyncio.Task):
    def cancel(self, msg=None):
        if self.done():
            return False
        self.get_coro().close()
        return asyncio.Future.cancel(self, msg=msg)


def _made_by_specs():
    frame = sys._getframe(2)
    for _ in range(4):  # the factory, loop.create_task, asyncio.create_task, the caller
        if frame is None:
            return False
        if "/specs/" in frame.f_code.co_filename.replace("\\", "/"):
            return True
        frame = frame.f_back
    return False


def _factory(loop, coro, **kwargs):
    task_class = _Task if _made_by_specs() else asyncio.Task
    return task_class(coro, loop=loop, **kwargs)


_original_init = asyncio.BaseEventLoop.__init__


def _init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    self.set_task_factory(_factory)


asyncio.BaseEventLoop.__init__ = _init
