"""The ``dask`` executor kind: ``Client(...).get_executor()`` on dask.distributed.

A pytest plugin registering its kind through ``pytest_concurrency_executor_kinds``, opt-in
(``default=False``), and owning its option: ``--dask-scheduler`` (ini ``dask_scheduler``,
else ``$PYTEST_CONCURRENCY_DASK_SCHEDULER``) points it at an existing scheduler; without one,
every executor of a session runs on one ``distributed.LocalCluster`` of worker processes on
127.0.0.1, started on first use and closed by :func:`close_session` at the end.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import multiprocessing
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from ..cpython_internals import worker_threads
from ..executors import ExecutorKind
from ..registry import missing_package

__all__ = [
    "DASK_LOCAL_WORKERS",
    "DASK_SCHEDULER_ENV",
    "KIND",
    "close_session",
    "pytest_addoption",
    "pytest_concurrency_executor_kinds",
    "pytest_configure",
    "set_dask_scheduler",
]

#: The environment variable naming a dask scheduler (``tcp://127.0.0.1:8786``) for the dask kind.
DASK_SCHEDULER_ENV = "PYTEST_CONCURRENCY_DASK_SCHEDULER"
#: Worker processes of the local cluster, one thread each, like a small process pool.
DASK_LOCAL_WORKERS = 2

_SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx)://[^\s/]+:\d+")


@dataclass
class _Session:
    """The session's cluster (started on first use) or the scheduler address given."""

    address: str | None = None
    cluster: Any = None
    processes: list[Any] = field(default_factory=list)  # the cluster's worker processes
    lock: threading.Lock = field(default_factory=threading.Lock)


_session = _Session()


def set_dask_scheduler(address: str | None) -> None:
    """Point the dask kind at an existing scheduler (``tcp://host:port``), or, with ``None``,
    at a local cluster started on first use. A :class:`ValueError` names the accepted form."""
    if address is not None and not _SCHEDULER_ADDRESS.fullmatch(address):
        raise ValueError(
            f"dask scheduler address {address!r} is not a scheduler address; accepted: "
            "<protocol>://<host>:<port> with protocol tcp, tls, ws, wss or ucx "
            "(e.g. tcp://127.0.0.1:8786)"
        )
    _session.address = address


def _target() -> Any:
    """The scheduler address, or the session's local cluster (started now if need be)."""
    if _session.address is not None:
        return _session.address
    with _session.lock:
        if _session.cluster is None:
            from distributed import LocalCluster

            from ..hygiene import long_lived

            before = set(multiprocessing.active_children())
            with long_lived():  # the session's, not the test's that happened to start it
                _session.cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=DASK_LOCAL_WORKERS,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",  # loopback only
                    dashboard_address=None,
                    protocol="tcp",
                )
            _session.processes = [p for p in multiprocessing.active_children() if p not in before]
            atexit.register(close_session)
        return _session.cluster


def _new_executor(
    max_workers: int | None = None,
    *,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    **options: Any,
) -> concurrent.futures.Executor:
    if initializer is not None:
        raise TypeError(
            "the dask kind has no initializer: Client.get_executor() runs calls on the "
            "cluster's existing workers"
        )
    from distributed import Client

    # max_workers is not honoured: the cluster's workers are what there is.
    client = Client(_target(), set_as_default=False)  # type: ignore[no-untyped-call]
    executor: concurrent.futures.Executor = client.get_executor(**options)  # type: ignore[no-untyped-call]
    _keep_offload_threads()
    return executor


def _keep_offload_threads() -> None:
    # distributed keeps one offload thread pool per process, for its whole life.
    # internal API: distributed.utils._offload_executor (a ThreadPoolExecutor, whose threads
    # cpython_internals reads); why: the leak check must not count its threads; public API
    # that would replace it: a documented offload executor.
    from ..hygiene import keep_alive

    utils = __import__("distributed.utils", fromlist=["_offload_executor"])
    offload = getattr(utils, "_offload_executor", None)
    if offload is not None:
        keep_alive(worker_threads(offload))


def _shutdown(executor: concurrent.futures.Executor) -> None:
    executor.shutdown(wait=False)
    # internal API: ClientExecutor._client; why: each executor has a Client of its own, which
    # must be closed with it; public API that would replace it: a ClientExecutor.client.
    client = getattr(executor, "_client", None)
    if client is not None:
        client.close()
        _keep_offload_threads()


def close_session(bound: float = 30.0) -> list[Any]:
    """Close the session's local cluster, if one was started; returns its processes still
    alive after ``bound`` seconds."""
    with _session.lock:
        cluster, _session.cluster = _session.cluster, None
        processes, _session.processes = _session.processes, []
    if cluster is None:
        return []
    cluster.close(timeout=bound)
    from ..hygiene import join_all

    survivors: list[Any] = join_all(processes, bound, owner="the dask kind's LocalCluster")
    return survivors


KIND = ExecutorKind(
    "dask",
    _new_executor,
    "Client(...).get_executor() on the session's LocalCluster or --dask-scheduler",
    lambda: missing_package("distributed", "executor kind 'dask'", "conformance"),
    workers=lambda executor: [],
    shutdown=_shutdown,
    source="third-party",
    default=False,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--dask-scheduler`` and its ini twin ``dask_scheduler``."""
    group = parser.getgroup("concurrency", "concurrency testing (pytest-concurrency-specs)")
    group.addoption(
        "--dask-scheduler",
        dest="dask_scheduler",
        metavar="ADDRESS",
        default=None,
        help="the dask executor kind runs on the scheduler at ADDRESS (tcp://host:port) "
        f"instead of a local cluster; default: ${DASK_SCHEDULER_ENV}, else a LocalCluster",
    )
    parser.addini("dask_scheduler", help="default for --dask-scheduler", default="")


def pytest_configure(config: pytest.Config) -> None:
    """Read the scheduler address (option, then environment, then ini); a bad one is a usage
    error naming the accepted form."""
    given = config.getoption("dask_scheduler")
    if given is None:
        given = os.environ.get(DASK_SCHEDULER_ENV) or config.getini("dask_scheduler")
    try:
        set_dask_scheduler(str(given).strip() or None)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.hookimpl
def pytest_concurrency_executor_kinds(config: pytest.Config) -> dict[str, ExecutorKind]:
    """The dask kind, opt-in."""
    return {KIND.name: KIND}
