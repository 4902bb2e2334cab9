"""asyncio.gather, with return_exceptions=False, waits for every child to finish before
raising the first exception, instead of failing at once."""

import asyncio

CLAIMS = ("AIO-26", "FUT-10", "EX-7")
SPECS = (
    "specs/asyncio_basics/test_gather.py::test_a_failing_child_fails_the_gather_at_once_while_the_others_keep_running",
    "specs/futures_and_tasks/test_ensure_future.py::test_a_future_given_to_gather_is_its_child_itself",
    "specs/worked_examples/test_ex07_gather_web_calls.py::test_what_gather_returns_is_a_future_not_a_task",
)

_original_gather = asyncio.gather


async def _waiting(aws):
    results = await _original_gather(*aws, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def _gather(*aws, return_exceptions=False):
    if return_exceptions:
        return _original_gather(*aws, return_exceptions=True)
    return asyncio.ensure_future(_waiting(aws))


asyncio.gather = asyncio.tasks.gather = _gather
