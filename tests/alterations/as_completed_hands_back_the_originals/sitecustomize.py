"""asyncio.as_completed hands back the awaitables passed in (as tasks), in argument order,
instead of new coroutines that give the earliest result first."""

import asyncio

CLAIMS = ("AIO-19",)
SPECS = (
    "specs/asyncio_basics/test_as_completed.py::test_plain_iteration_yields_new_coroutines_that_give_the_earliest_result_first",
)


def _as_completed(fs, *, timeout=None):
    return iter([asyncio.ensure_future(f) for f in fs])


asyncio.as_completed = asyncio.tasks.as_completed = _as_completed
