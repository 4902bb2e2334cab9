"""The pools tests use: made on request, shut down and checked when the test ends.

:class:`PoolKeeper` makes executors of any kind (through :func:`.executors.make_executor`) and,
on :meth:`PoolKeeper.close`, shuts every one down and reports the workers that outlived it.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any

from .executors import make_executor, workers_of
from .hygiene import Survivor, join_all
from .timeouts import hang_bound

__all__ = ["PoolKeeper", "shutdown_and_check"]


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
        pool = make_executor(
            kind, max_workers, initializer=initializer, initargs=initargs, **options
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


def shutdown_and_check(pool: concurrent.futures.Executor) -> list[Survivor]:
    """Shut ``pool`` down and return the workers still alive after the hang bound."""
    workers = workers_of(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    return join_all(workers, hang_bound("medium"), owner=type(pool).__name__)
