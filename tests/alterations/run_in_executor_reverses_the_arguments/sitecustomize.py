"""loop.run_in_executor (asyncio's own loops) passes the positional arguments to the call
last first."""

import asyncio.base_events

CLAIMS = ("EXE-2", "EXE-3", "EX-9")
SPECS = (
    "specs/run_in_executor/test_run_in_executor.py::test_any_executor_passed_explicitly_is_used_even_a_home_made_one",
    "specs/run_in_executor/test_run_in_executor.py::test_arguments_after_func_are_passed_positionally_in_order",
    "specs/worked_examples/test_ex09_downloads_in_executor.py::test_the_downloads_wait_on_the_server_together_and_gather_keeps_their_order",
)

_original = asyncio.base_events.BaseEventLoop.run_in_executor


def _run_in_executor(self, executor, func, *args):
    return _original(self, executor, func, *reversed(args))


asyncio.base_events.BaseEventLoop.run_in_executor = _run_in_executor
