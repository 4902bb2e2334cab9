"""Executor kinds: CPython's pools, third-party executors, and kinds a project registers.

A kind is a name and a factory of :class:`concurrent.futures.Executor`:

==================  ==========================================================================
thread              ``ThreadPoolExecutor``
process-<method>    ``ProcessPoolExecutor`` with its own context (``fork``, ``spawn``,
                    ``forkserver``); the global start method is never touched
loky                a fresh ``loky.ProcessPoolExecutor`` per pool (``pip install loky``)
dask                ``Client(...).get_executor()`` on a ``distributed.LocalCluster`` of worker
                    processes started once per session on 127.0.0.1, or on the scheduler named
                    by ``--dask-scheduler`` (``pip install distributed``)
==================  ==========================================================================

A project adds kinds with the ``pytest_concurrency_executor_kinds(config)`` hook (see
:mod:`.hookspecs`); the plugin registers what the hook returns with :func:`register_kinds`
before it reads ``--executor-kinds``. :func:`make_executor` turns a kind into a new executor,
:func:`workers_of` names the threads and processes to join after :func:`shutdown_nowait`;
:mod:`.pools` keeps the pools tests use.

Why loky's pools are fresh ones and not ``loky.get_reusable_executor()``: the reusable executor
is one per process, resized or restarted when ``max_workers`` or the initializer changes, and
a test that calls ``shutdown()`` on it would shut down every other test's pool too. The specs
need an executor of their own, as they get from ``ThreadPoolExecutor(...)``; loky's reuse is
its own feature, not part of the ``Executor`` contract.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import importlib.util
import multiprocessing
import multiprocessing.context
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .names import check_plugin_name

__all__ = [
    "DASK_SCHEDULER_ENV",
    "START_METHODS",
    "THREAD",
    "ExecutorKind",
    "KindUnavailable",
    "all_kinds",
    "available_kinds",
    "available_start_methods",
    "close_sessions",
    "context_for",
    "default_kinds",
    "get_kind",
    "is_cpython_kind",
    "kind_of_start_method",
    "known_kinds",
    "make_executor",
    "register_kinds",
    "set_dask_scheduler",
    "shutdown_nowait",
    "start_method_of",
    "unavailable_reason",
    "unregister_kinds",
    "validate_kinds",
    "validate_start_methods",
    "workers_of",
]

THREAD = "thread"
#: Every start method there is, in the order the kinds are listed.
START_METHODS = ("fork", "spawn", "forkserver")
#: The environment variable naming a dask scheduler (``tcp://127.0.0.1:8786``) for the dask kind.
DASK_SCHEDULER_ENV = "PYTEST_CONCURRENCY_DASK_SCHEDULER"

ExecutorFactory = Callable[..., concurrent.futures.Executor]


class KindUnavailable(RuntimeError):
    """An executor kind that cannot run here (its package is missing); the message says why."""


@dataclass(frozen=True)
class ExecutorKind:
    """A named kind of executor.

    ``factory(max_workers, *, initializer=None, initargs=(), **options)`` makes a new
    executor. ``workers(pool)`` names the threads and processes to join once it is shut down
    (default: those of a ``ThreadPoolExecutor``/``ProcessPoolExecutor``, or none);
    ``shutdown(pool)`` shuts it down without waiting (default:
    ``pool.shutdown(wait=False, cancel_futures=True)``, or ``shutdown(wait=False)`` where
    ``cancel_futures`` is not accepted). ``why_unavailable()`` says why it cannot run here.
    """

    name: str
    factory: ExecutorFactory
    description: str = ""
    why_unavailable: Callable[[], str | None] = lambda: None
    workers: Callable[[concurrent.futures.Executor], list[Any]] | None = None
    shutdown: Callable[[concurrent.futures.Executor], None] | None = None
    #: Where it comes from: "cpython", "third-party" (built in here), or the registering plugin.
    source: str = "cpython"


def available_start_methods() -> list[str]:
    """The start methods this platform offers, in :data:`START_METHODS` order."""
    offered = set(multiprocessing.get_all_start_methods())
    return [m for m in START_METHODS if m in offered]


def kind_of_start_method(method: str) -> str:
    """``"spawn"`` -> ``"process-spawn"``."""
    return f"process-{method}"


def start_method_of(kind: str) -> str | None:
    """``"process-spawn"`` -> ``"spawn"``; ``"thread"`` (or any other kind) -> ``None``."""
    if kind.startswith("process-") and kind.removeprefix("process-") in START_METHODS:
        return kind.removeprefix("process-")
    return None


def all_kinds() -> list[str]:
    """CPython's executor kinds, whether or not this platform offers them."""
    return [THREAD, *(kind_of_start_method(m) for m in START_METHODS)]


def available_kinds() -> list[str]:
    """CPython's executor kinds this platform offers."""
    return [THREAD, *(kind_of_start_method(m) for m in available_start_methods())]


def known_kinds() -> list[str]:
    """Every name ``--executor-kinds`` accepts: CPython's kinds, the third-party ones built
    in (``loky``, ``dask``), and those registered through the hook."""
    return [*all_kinds(), *_THIRD_PARTY, *_registered]


def default_kinds() -> list[str]:
    """The kinds a run uses when ``--executor-kinds`` is not given: CPython's kinds this
    platform offers, and every kind a plugin or conftest registered (third-party kinds built
    in here are opt-in)."""
    return [*available_kinds(), *_registered]


def is_cpython_kind(name: str) -> bool:
    """Whether ``name`` is one of CPython's own executors (the reference implementation)."""
    return name in all_kinds()


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
    """Check names against :func:`known_kinds`; a :class:`ValueError` lists the valid ones."""
    return _validate(names, known_kinds(), "executor kind")


def get_kind(name: str) -> ExecutorKind:
    """The kind called ``name``; a :class:`ValueError` names the accepted ones."""
    (name,) = validate_kinds([name])
    method = start_method_of(name)
    if method is not None:
        return ExecutorKind(name, _process_factory(method), f"ProcessPoolExecutor ({method})")
    if name == THREAD:
        return ExecutorKind(THREAD, concurrent.futures.ThreadPoolExecutor, "ThreadPoolExecutor")
    return _THIRD_PARTY.get(name) or _registered[name]


def unavailable_reason(name: str) -> str | None:
    """Why kind ``name`` cannot run here, or ``None`` when it can."""
    method = start_method_of(name)
    if method is not None and method not in available_start_methods():
        return f"start method {method!r} is not offered on this platform"
    return get_kind(name).why_unavailable()


def make_executor(
    kind: str,
    max_workers: int | None = None,
    *,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    **options: Any,
) -> concurrent.futures.Executor:
    """A new executor of ``kind`` (``"thread"``, ``"process-<start method>"``,
    ``"loky"``, ``"dask"`` or a registered kind). Raises :class:`KindUnavailable` when its
    package is missing, :class:`ValueError` for an unknown kind."""
    found = get_kind(kind)
    why = unavailable_reason(found.name)
    if why is not None:
        raise KindUnavailable(why)
    pool = found.factory(max_workers, initializer=initializer, initargs=initargs, **options)
    _kind_of_pool[pool] = found
    return pool


def _process_factory(method: str) -> ExecutorFactory:
    def factory(max_workers: int | None = None, **options: Any) -> concurrent.futures.Executor:
        return concurrent.futures.ProcessPoolExecutor(
            max_workers, mp_context=context_for(method), **options
        )

    return factory


# Which kind made each pool (weakly: a pool's entry goes with it).
_kind_of_pool: weakref.WeakKeyDictionary[concurrent.futures.Executor, ExecutorKind]
_kind_of_pool = weakref.WeakKeyDictionary()


def workers_of(pool: concurrent.futures.Executor) -> list[threading.Thread | Any]:
    """The threads and processes that run ``pool``'s work, in the order to join them."""
    made_by = _kind_of_pool.get(pool)
    if made_by is not None and made_by.workers is not None:
        return made_by.workers(pool)
    # The executors keep their workers in private attributes; this is the one place we read
    # them, so that a leak is pinned on the pool that made it.
    if isinstance(pool, concurrent.futures.ThreadPoolExecutor):
        return list(pool._threads)
    if isinstance(pool, concurrent.futures.ProcessPoolExecutor):
        return _process_workers(pool)
    return []


def _process_workers(pool: Any) -> list[Any]:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    # The manager thread reaps the workers. Join it first: joining a worker while it reaps
    # that worker loses the race for waitpid(), and multiprocessing then reports the
    # reaped worker as alive.
    return [*([manager] if manager is not None else []), *processes]


def shutdown_nowait(pool: concurrent.futures.Executor) -> None:
    """Shut ``pool`` down without waiting, cancelling calls that have not started where the
    executor can; join :func:`workers_of` it (taken before) to wait."""
    made_by = _kind_of_pool.get(pool)
    if made_by is not None and made_by.shutdown is not None:
        made_by.shutdown(pool)
        return
    try:
        pool.shutdown(wait=False, cancel_futures=True)
    except TypeError:  # an Executor whose shutdown() predates cancel_futures (loky's)
        pool.shutdown(wait=False)


def context_for(method: str) -> multiprocessing.context.BaseContext:
    """The multiprocessing context of ``method``, checked against this platform."""
    (method,) = validate_start_methods([method])
    if method not in available_start_methods():
        raise ValueError(
            f"start method {method!r} is not offered on this platform; "
            f"offered: {', '.join(available_start_methods())}"
        )
    return multiprocessing.get_context(method)


# --- kinds registered by plugins and conftest files -----------------------------------------

_registered: dict[str, ExecutorKind] = {}


def register_kinds(kinds: Mapping[str, ExecutorFactory | ExecutorKind], source: str) -> list[str]:
    """Add kinds (``{name: factory or ExecutorKind}``) from ``source`` (a plugin's name); a
    :class:`ValueError` says what is wrong with a name or a factory. Returns the names."""
    added = []
    for name, value in kinds.items():
        check_plugin_name(name, "executor kind", source)
        if name in all_kinds() or name in _THIRD_PARTY or name in _registered:
            raise ValueError(f"{source}: executor kind {name!r} is already defined")
        if isinstance(value, ExecutorKind):
            entry = value if value.name == name else ExecutorKind(**{**vars(value), "name": name})
        elif callable(value):
            entry = ExecutorKind(name, value, f"registered by {source}", source=source)
        else:
            raise ValueError(
                f"{source}: executor kind {name!r} needs a factory (a callable taking "
                f"max_workers and the pool options) or an ExecutorKind, got {value!r}"
            )
        _registered[name] = entry
        added.append(name)
    return added


def unregister_kinds(names: Iterable[str]) -> None:
    """Forget registered kinds (at the end of the run that registered them)."""
    for name in names:
        _registered.pop(name, None)


# --- loky --------------------------------------------------------------------------------------


def _loky_unavailable() -> str | None:
    if importlib.util.find_spec("loky") is None:
        return (
            "executor kind 'loky' needs the loky package "
            "(pip install 'pytest-concurrency-specs[conformance]')"
        )
    return None


def _new_loky_pool(max_workers: int | None = None, **options: Any) -> concurrent.futures.Executor:
    import loky

    pool: concurrent.futures.Executor = loky.ProcessPoolExecutor(max_workers, **options)
    _keep_loky_tracker()
    return pool


def _keep_loky_tracker() -> None:
    # loky starts one resource tracker process per session, as multiprocessing does: it
    # outlives every pool by design.
    from loky.backend import resource_tracker

    from .hygiene import keep_alive

    pid = getattr(resource_tracker._resource_tracker, "_pid", None)
    if pid is not None:
        keep_alive([pid])


def _loky_shutdown(pool: concurrent.futures.Executor) -> None:
    pool.shutdown(wait=False)  # loky's shutdown() has no cancel_futures


# --- dask.distributed -------------------------------------------------------------------------

_SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx)://[^\s/]+:\d+")


@dataclass
class _DaskSession:
    """The session's cluster (started on first use) or the scheduler address given."""

    address: str | None = None
    cluster: Any = None
    processes: list[Any] = field(default_factory=list)  # the cluster's worker processes
    lock: threading.Lock = field(default_factory=threading.Lock)


_dask = _DaskSession()


def set_dask_scheduler(address: str | None) -> None:
    """Point the dask kind at an existing scheduler (``tcp://host:port``), or, with ``None``,
    at a local cluster started on first use. A :class:`ValueError` names the accepted form."""
    if address is not None and not _SCHEDULER_ADDRESS.fullmatch(address):
        raise ValueError(
            f"dask scheduler address {address!r} is not a scheduler address; accepted: "
            "<protocol>://<host>:<port> with protocol tcp, tls, ws, wss or ucx "
            "(e.g. tcp://127.0.0.1:8786)"
        )
    _dask.address = address


def _dask_unavailable() -> str | None:
    if importlib.util.find_spec("distributed") is None:
        return (
            "executor kind 'dask' needs the distributed package "
            "(pip install 'pytest-concurrency-specs[conformance]')"
        )
    return None


#: Worker processes of the local cluster, one thread each, like a small process pool.
DASK_LOCAL_WORKERS = 2


def _dask_target() -> Any:
    """The scheduler address, or the session's local cluster (started now if need be)."""
    if _dask.address is not None:
        return _dask.address
    with _dask.lock:
        if _dask.cluster is None:
            from distributed import LocalCluster

            from .hygiene import long_lived

            before = set(multiprocessing.active_children())
            with long_lived():  # the session's, not the test's that happened to start it
                _dask.cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=DASK_LOCAL_WORKERS,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",  # loopback only
                    dashboard_address=None,
                    protocol="tcp",
                )
            _dask.processes = [p for p in multiprocessing.active_children() if p not in before]
            atexit.register(close_sessions)
        return _dask.cluster


def _new_dask_executor(
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

    from .hygiene import keep_alive

    # max_workers is not honoured: the cluster's workers are what there is.
    client = Client(_dask_target(), set_as_default=False)  # type: ignore[no-untyped-call]
    executor: concurrent.futures.Executor = client.get_executor(**options)  # type: ignore[no-untyped-call]
    _keep_dask_offload(keep_alive)
    return executor


def _keep_dask_offload(keep_alive: Callable[[Iterable[object]], None]) -> None:
    # distributed keeps one offload thread pool per process, for its whole life.
    utils = __import__("distributed.utils", fromlist=["_offload_executor"])
    offload = getattr(utils, "_offload_executor", None)
    if offload is not None:
        keep_alive(list(getattr(offload, "_threads", ())))


def _dask_shutdown(executor: concurrent.futures.Executor) -> None:
    executor.shutdown(wait=False)
    client = getattr(executor, "_client", None)
    if client is not None:
        client.close()
        from .hygiene import keep_alive

        _keep_dask_offload(keep_alive)


def close_sessions(bound: float = 30.0) -> list[Any]:
    """Close what third-party kinds keep for a session (the dask cluster); returns the
    cluster's processes still alive after ``bound`` seconds."""
    with _dask.lock:
        cluster, _dask.cluster = _dask.cluster, None
        processes, _dask.processes = _dask.processes, []
    if cluster is None:
        return []
    cluster.close(timeout=bound)
    from .hygiene import join_all

    survivors: list[Any] = join_all(processes, bound, owner="the dask kind's LocalCluster")
    return survivors


_THIRD_PARTY: dict[str, ExecutorKind] = {
    "loky": ExecutorKind(
        "loky",
        _new_loky_pool,
        "a fresh loky.ProcessPoolExecutor per pool",
        _loky_unavailable,
        workers=_process_workers,
        shutdown=_loky_shutdown,
        source="third-party",
    ),
    "dask": ExecutorKind(
        "dask",
        _new_dask_executor,
        "Client(...).get_executor() on the session's LocalCluster or --dask-scheduler",
        _dask_unavailable,
        workers=lambda executor: [],
        shutdown=_dask_shutdown,
        source="third-party",
    ),
}
