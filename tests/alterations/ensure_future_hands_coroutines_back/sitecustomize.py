"""asyncio.ensure_future hands a coroutine back as it is, unwrapped, instead of wrapping it
in a new task (futures and other awaitables are treated as before)."""

import asyncio

CLAIMS = ("FUT-8",)
SPECS = ("specs/futures_and_tasks/test_ensure_future.py",)

_original_ensure_future = asyncio.ensure_future


def _ensure_future(obj, *, loop=None):
    if asyncio.iscoroutine(obj):
        return obj
    return _original_ensure_future(obj, loop=loop)


asyncio.ensure_future = asyncio.tasks.ensure_future = _ensure_future
