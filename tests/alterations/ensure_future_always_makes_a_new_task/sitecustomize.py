"""asyncio.ensure_future wraps whatever it is given in a new task, futures and tasks
included, instead of handing a future back as it is."""

import asyncio

CLAIMS = ("AIO-21", "FUT-7", "FUT-10")
SPECS = (
    "specs/asyncio_basics/test_await.py::test_with_no_other_task_await_simply_waits",
    "specs/futures_and_tasks/test_ensure_future.py::test_a_future_given_to_gather_is_its_child_itself",
    "specs/futures_and_tasks/test_ensure_future.py::test_ensure_future_returns_a_future_or_task_unchanged",
)

_original_ensure_future = asyncio.ensure_future


async def _awaiting(awaitable):
    return await awaitable


def _ensure_future(obj, *, loop=None):
    if asyncio.isfuture(obj):
        return _original_ensure_future(_awaiting(obj), loop=loop)
    return _original_ensure_future(obj, loop=loop)


asyncio.ensure_future = asyncio.tasks.ensure_future = _ensure_future
