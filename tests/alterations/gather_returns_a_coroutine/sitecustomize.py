"""asyncio.gather returns a coroutine, not a future: nothing is scheduled until it is
awaited, and it has no cancel() or done()."""

import asyncio

CLAIMS = ("AIO-14", "AIO-15", "AIO-25", "LOOP-7", "FUT-10", "EX-7", "EX-13")
SPECS = (
    "specs/asyncio_basics/test_gather.py::test_gather_returns_one_future_that_can_be_awaited",
    "specs/asyncio_basics/test_gather.py::test_with_eager_tasks_gather_runs_each_child_to_its_first_suspension_in_order",
    "specs/futures_and_tasks/test_ensure_future.py::test_a_future_given_to_gather_is_its_child_itself",
    "specs/worked_examples/test_ex07_gather_web_calls.py::test_what_gather_returns_is_a_future_not_a_task",
    "specs/worked_examples/test_ex13_web_page.py::test_with_coroutines_two_pages_download_at_the_same_time",
    "specs/worked_examples/test_ex13_web_page.py::test_with_run_in_executor_the_blocking_calls_overlap_too",
)

_original_gather = asyncio.gather


async def _gathering(aws, return_exceptions):
    return await _original_gather(*aws, return_exceptions=return_exceptions)


def _gather(*aws, return_exceptions=False):
    return _gathering(aws, return_exceptions)


asyncio.gather = asyncio.tasks.gather = _gather
