"""The ``loky`` executor kind: a fresh ``loky.ProcessPoolExecutor`` per pool.

A pytest plugin registering its kind through ``pytest_concurrency_executor_kinds``, opt-in
(``default=False``): ``--executor-kinds=loky`` or the ``executor_kinds`` marker asks for it.

Why fresh pools and not ``loky.get_reusable_executor()``: the reusable executor is one per
process, resized or restarted when ``max_workers`` or the initializer changes, and a test that
calls ``shutdown()`` on it would shut down every other test's pool too. The specs need an
executor of their own, as they get from ``ThreadPoolExecutor(...)``; loky's reuse is its own
feature, not part of the ``Executor`` contract.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest

from ..cpython_internals import workers_of
from ..executors import ExecutorKind
from ..registry import missing_package

__all__ = ["KIND", "pytest_concurrency_executor_kinds"]


def _new_pool(max_workers: int | None = None, **options: Any) -> concurrent.futures.Executor:
    import loky

    pool: concurrent.futures.Executor = loky.ProcessPoolExecutor(max_workers, **options)
    _keep_tracker()
    return pool


def _keep_tracker() -> None:
    # loky starts one resource tracker process per session, as multiprocessing does: it
    # outlives every pool by design.
    # internal API: loky.backend.resource_tracker._resource_tracker._pid; why: the leak check
    # must not count the tracker; public API that would replace it: a documented tracker pid.
    from loky.backend import resource_tracker

    from ..hygiene import keep_alive

    pid = getattr(resource_tracker._resource_tracker, "_pid", None)
    if pid is not None:
        keep_alive([pid])


def _shutdown(pool: concurrent.futures.Executor) -> None:
    pool.shutdown(wait=False)  # loky's shutdown() has no cancel_futures


#: loky's ProcessPoolExecutor keeps its workers as CPython's does (manager thread, then
#: processes), so the leak check joins them the same way.
KIND = ExecutorKind(
    "loky",
    _new_pool,
    "a fresh loky.ProcessPoolExecutor per pool",
    lambda: missing_package("loky", "executor kind 'loky'", "conformance"),
    workers=workers_of,
    shutdown=_shutdown,
    source="third-party",
    default=False,
)


@pytest.hookimpl
def pytest_concurrency_executor_kinds(config: pytest.Config) -> dict[str, ExecutorKind]:
    """The loky kind, opt-in."""
    return {KIND.name: KIND}
