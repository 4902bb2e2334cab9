"""A task's set_result() and set_exception() work from outside, as a plain future's do,
instead of raising RuntimeError (every loop gets a task factory making such tasks)."""

import asyncio

CLAIMS = ("FUT-3",)
SPECS = ("specs/futures_and_tasks/test_task.py::test_a_tasks_result_cannot_be_set_from_outside",)


class _Task(asyncio.Task):
    def set_result(self, result):
        asyncio.Future.set_result(self, result)

    def set_exception(self, exception):
        asyncio.Future.set_exception(self, exception)


def _factory(loop, coro, **kwargs):
    return _Task(coro, loop=loop, **kwargs)


_original_init = asyncio.BaseEventLoop.__init__


def _init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    self.set_task_factory(_factory)


asyncio.BaseEventLoop.__init__ = _init
