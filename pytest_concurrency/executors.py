"""Executor kinds: a thread pool, and a process pool per multiprocessing start method.

Each process pool gets its own context (``multiprocessing.get_context(method)``); the global
start method is never touched. :func:`make_executor` turns a kind into a new executor and
:func:`workers_of` names the workers to check; :mod:`.pools` keeps the pools tests use.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import multiprocessing.context
import threading
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "START_METHODS",
    "THREAD",
    "all_kinds",
    "available_kinds",
    "available_start_methods",
    "context_for",
    "kind_of_start_method",
    "make_executor",
    "start_method_of",
    "validate_kinds",
    "validate_start_methods",
    "workers_of",
]

THREAD = "thread"
#: Every start method there is, in the order the kinds are listed.
START_METHODS = ("fork", "spawn", "forkserver")


def available_start_methods() -> list[str]:
    """The start methods this platform offers, in :data:`START_METHODS` order."""
    offered = set(multiprocessing.get_all_start_methods())
    return [m for m in START_METHODS if m in offered]


def kind_of_start_method(method: str) -> str:
    """``"spawn"`` -> ``"process-spawn"``."""
    return f"process-{method}"


def start_method_of(kind: str) -> str | None:
    """``"process-spawn"`` -> ``"spawn"``; ``"thread"`` -> ``None``."""
    return kind.removeprefix("process-") if kind.startswith("process-") else None


def all_kinds() -> list[str]:
    """Every executor kind there is, whether or not this platform offers it."""
    return [THREAD, *(kind_of_start_method(m) for m in START_METHODS)]


def available_kinds() -> list[str]:
    """The executor kinds this platform offers."""
    return [THREAD, *(kind_of_start_method(m) for m in available_start_methods())]


def _validate(names: Iterable[str], accepted: list[str], what: str) -> list[str]:
    chosen = [n.strip() for n in names if n.strip()]
    unknown = [n for n in chosen if n not in accepted]
    if unknown:
        raise ValueError(
            f"unknown {what} {', '.join(map(repr, unknown))}; accepted: {', '.join(accepted)}"
        )
    return chosen


def validate_start_methods(names: Iterable[str]) -> list[str]:
    """Check names against :data:`START_METHODS`; a :class:`ValueError` lists the valid ones."""
    return _validate(names, list(START_METHODS), "start method")


def validate_kinds(names: Iterable[str]) -> list[str]:
    """Check names against :func:`all_kinds`; a :class:`ValueError` lists the valid ones."""
    return _validate(names, all_kinds(), "executor kind")


def make_executor(
    kind: str,
    max_workers: int | None = None,
    *,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    **options: Any,
) -> concurrent.futures.Executor:
    """A new executor of ``kind`` (``"thread"`` or ``"process-<start method>"``)."""
    (kind,) = validate_kinds([kind])
    method = start_method_of(kind)
    if method is None:
        return concurrent.futures.ThreadPoolExecutor(
            max_workers, initializer=initializer, initargs=initargs, **options
        )
    return concurrent.futures.ProcessPoolExecutor(
        max_workers,
        mp_context=context_for(method),
        initializer=initializer,
        initargs=initargs,
        **options,
    )


def workers_of(pool: concurrent.futures.Executor) -> list[threading.Thread | Any]:
    """The threads and processes that run ``pool``'s work, in the order to join them."""
    # The executors keep their workers in private attributes; this is the one place we read
    # them, so that a leak is pinned on the pool that made it.
    if isinstance(pool, concurrent.futures.ThreadPoolExecutor):
        return list(pool._threads)
    if isinstance(pool, concurrent.futures.ProcessPoolExecutor):
        processes = list((pool._processes or {}).values())
        manager = getattr(pool, "_executor_manager_thread", None)
        # The manager thread reaps the workers. Join it first: joining a worker while it reaps
        # that worker loses the race for waitpid(), and multiprocessing then reports the
        # reaped worker as alive.
        return [*([manager] if manager is not None else []), *processes]
    return []


def context_for(method: str) -> multiprocessing.context.BaseContext:
    """The multiprocessing context of ``method``, checked against this platform."""
    (method,) = validate_start_methods([method])
    if method not in available_start_methods():
        raise ValueError(
            f"start method {method!r} is not offered on this platform; "
            f"offered: {', '.join(available_start_methods())}"
        )
    return multiprocessing.get_context(method)
