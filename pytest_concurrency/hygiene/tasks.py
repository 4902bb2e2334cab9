"""The asyncio tasks a test left pending."""

from __future__ import annotations

import asyncio
from typing import Any

from .survivors import Survivor


def pending_tasks(
    loop: asyncio.AbstractEventLoop, before: set[asyncio.Task[Any]]
) -> list[asyncio.Task[Any]]:
    """Tasks of ``loop`` that are not done and were not in ``before``."""
    return [task for task in asyncio.all_tasks(loop) if task not in before and not task.done()]


def still_pending(tasks: list[asyncio.Task[Any]]) -> list[asyncio.Task[Any]]:
    """Those of ``tasks`` that nothing has finished yet. A task of a closed loop counts as
    pending: closing the loop cancelled it, nobody else did."""
    return [task for task in tasks if task.get_loop().is_closed() or not task.done()]


def task_survivors(tasks: list[asyncio.Task[Any]]) -> list[Survivor]:
    """Left-behind tasks, named with the coroutine each runs, so the user knows what to stop."""
    survivors = []
    for task in tasks:
        coro = task.get_coro()
        running = getattr(coro, "__qualname__", None) or type(coro).__name__
        survivors.append(Survivor("task", task.get_name(), detail=f"running {running}()"))
    return survivors
