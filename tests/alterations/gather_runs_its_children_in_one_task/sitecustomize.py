"""asyncio.gather awaits its arguments one after another inside a single task of its own,
instead of wrapping each coroutine in a task: the children share one task and never overlap."""

import asyncio

CLAIMS = ("AIO-1", "FUT-10", "EX-11", "EX-17")
SPECS = (
    "specs/asyncio_basics/test_coroutines.py::test_async_and_await_let_two_coroutines_run_concurrently_in_one_thread",
    "specs/futures_and_tasks/test_ensure_future.py::test_each_coroutine_given_to_gather_runs_in_a_task_of_its_own",
    "specs/worked_examples/test_ex11_interleaved_context_managers.py::test_each_blocks_entering_body_and_exiting_run_in_one_task",
    "specs/worked_examples/test_ex11_interleaved_context_managers.py::test_two_blocks_interleave_their_slow_writing_character_by_character",
)

_original_gather = asyncio.gather


async def _one_by_one(aws, return_exceptions):
    results = []
    for aw in aws:
        try:
            results.append(await aw)
        except Exception as error:
            if not return_exceptions:
                raise
            results.append(error)
    return results


def _gather(*aws, return_exceptions=False):
    return asyncio.ensure_future(_one_by_one(aws, return_exceptions))


asyncio.gather = asyncio.tasks.gather = _gather
