"""asyncio.create_task (and loop.create_task) accepts any awaitable, wrapping it in a
coroutine, as ensure_future does, instead of refusing what is not a coroutine."""

import asyncio
import asyncio.base_events
import inspect

CLAIMS = ("FUT-9", "FUT-11")
SPECS = (
    "specs/futures_and_tasks/test_ensure_future.py::test_ensure_future_accepts_any_awaitable_where_create_task_takes_only_coroutines",
)

_original = asyncio.base_events.BaseEventLoop.create_task


async def _awaiting(awaitable):
    return await awaitable


def _create_task(self, coro, **kwargs):
    if not asyncio.iscoroutine(coro) and inspect.isawaitable(coro):
        coro = _awaiting(coro)
    return _original(self, coro, **kwargs)


asyncio.base_events.BaseEventLoop.create_task = _create_task
