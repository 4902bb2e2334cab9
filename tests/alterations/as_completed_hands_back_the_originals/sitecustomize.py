"""asyncio.as_completed hands back the awaitables passed in (as tasks), in argument order,
instead of new coroutines that give the earliest result first."""

import asyncio

CLAIMS = ("AIO-19",)
SPECS = (
    "specs/asyncio_basics/test_as_completed.py::test_after_the_timeout_the_next_result_raises_timeout_error",
    "specs/asyncio_basics/test_as_completed.py::test_as_completed_hands_out_results_in_completion_order",
    "specs/asyncio_basics/test_as_completed.py::test_plain_iteration_yields_new_coroutines_that_give_the_earliest_result_first",
)


def _as_completed(fs, *, timeout=None):
    return iter([asyncio.ensure_future(f) for f in fs])


asyncio.as_completed = asyncio.tasks.as_completed = _as_completed
