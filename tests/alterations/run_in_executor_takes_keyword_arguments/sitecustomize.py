"""loop.run_in_executor (asyncio's own loops) passes keyword arguments on to the call,
instead of having no place for them."""

import asyncio.base_events
import functools

CLAIMS = ("EXE-3",)
SPECS = (
    "specs/run_in_executor/test_run_in_executor.py::test_keyword_arguments_are_a_type_error_and_functools_partial_carries_them",
)

_original = asyncio.base_events.BaseEventLoop.run_in_executor


def _run_in_executor(self, executor, func, *args, **kwargs):
    if kwargs:
        func = functools.partial(func, **kwargs)
    return _original(self, executor, func, *args)


asyncio.base_events.BaseEventLoop.run_in_executor = _run_in_executor
