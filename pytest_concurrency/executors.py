"""Executor kinds: a thread pool, and a process pool per multiprocessing start method.

Each process pool gets its own context (``multiprocessing.get_context(method)``); the global
start method is never touched. :class:`PoolKeeper` makes pools and, at the end of a test,
shuts every one down and checks that no worker thread or process outlived it.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import multiprocessing.context
import threading
from collections.abc import Callable, Iterable
from typing import Any

from .hygiene import Survivor, join_all
from .timeouts import hang_bound

__all__ = [
    "START_METHODS",
    "THREAD",
    "PoolKeeper",
    "all_kinds",
    "available_kinds",
    "available_start_methods",
    "kind_of_start_method",
    "start_method_of",
    "validate_kinds",
    "validate_start_methods",
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


class PoolKeeper:
    """Makes executors of any kind and, on :meth:`close`, stops them all and checks.

    ``close`` shuts each pool down, cancelling work that has not started, waits (up to the
    ``medium`` hang bound) for its workers to end, terminates worker processes that did not,
    and returns what survived, so the fixture can fail the test.
    """

    def __init__(self) -> None:
        self._pools: list[concurrent.futures.Executor] = []

    def make(
        self,
        kind: str,
        max_workers: int | None = None,
        *,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        **options: Any,
    ) -> concurrent.futures.Executor:
        """A new executor of ``kind`` (``"thread"`` or ``"process-<start method>"``)."""
        (kind,) = validate_kinds([kind])
        pool: concurrent.futures.Executor
        method = start_method_of(kind)
        if method is None:
            pool = concurrent.futures.ThreadPoolExecutor(
                max_workers, initializer=initializer, initargs=initargs, **options
            )
        else:
            if method not in available_start_methods():
                raise ValueError(
                    f"start method {method!r} is not offered on this platform; "
                    f"offered: {', '.join(available_start_methods())}"
                )
            pool = concurrent.futures.ProcessPoolExecutor(
                max_workers,
                mp_context=multiprocessing.get_context(method),
                initializer=initializer,
                initargs=initargs,
                **options,
            )
        self._pools.append(pool)
        return pool

    def close(self) -> list[Survivor]:
        """Shut every pool down; return the workers that outlived the hang bound."""
        survivors: list[Survivor] = []
        pools, self._pools = self._pools, []
        for pool in pools:
            survivors += shutdown_and_check(pool)
        return survivors


def _workers(pool: concurrent.futures.Executor) -> list[threading.Thread | Any]:
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


def shutdown_and_check(pool: concurrent.futures.Executor) -> list[Survivor]:
    """Shut ``pool`` down and return the workers still alive after the hang bound."""
    workers = _workers(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    return join_all(workers, hang_bound("medium"), owner=type(pool).__name__)


def context_for(method: str) -> multiprocessing.context.BaseContext:
    """The multiprocessing context of ``method``, checked against this platform."""
    (method,) = validate_start_methods([method])
    if method not in available_start_methods():
        raise ValueError(
            f"start method {method!r} is not offered on this platform; "
            f"offered: {', '.join(available_start_methods())}"
        )
    return multiprocessing.get_context(method)
