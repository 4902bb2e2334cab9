"""loop.set_default_executor (asyncio's own loops) accepts anything and changes nothing:
executor=None still means the loop's own thread pool."""

import asyncio.base_events

CLAIMS = ("EXE-2",)
SPECS = (
    "specs/run_in_executor/test_run_in_executor.py::test_set_default_executor_with_a_thread_pool_changes_what_none_means",
    "specs/run_in_executor/test_run_in_executor.py::test_since_3_11_the_standard_loop_refuses_a_default_executor_that_is_no_thread_pool",
)

asyncio.base_events.BaseEventLoop.set_default_executor = lambda self, executor: None
