"""Executor kinds: CPython's pools, and the registry every other kind joins.

A kind is a name and a factory of :class:`concurrent.futures.Executor`. CPython's kinds are
built in:

==================  ==========================================================================
thread              ``ThreadPoolExecutor``
process-<method>    ``ProcessPoolExecutor`` with its own context (``fork``, ``spawn``,
                    ``forkserver``); the global start method is never touched
==================  ==========================================================================

Every other kind comes from a plugin's ``pytest_concurrency_executor_kinds(config)`` hook (see
:mod:`.hookspecs`), the plugin's own third-party kinds included (``loky``, ``dask``: see
:mod:`.kinds`); the plugin registers what the hooks return with :func:`register_kinds` before
it reads ``--executor-kinds``. A kind made with ``default=False`` runs only where a run or a
test names it. :func:`kinds` lists them, :func:`make_executor` turns a kind into a new
executor, :func:`workers_of` names the threads and processes to join after
:func:`shutdown_nowait`; :mod:`.pools` keeps the pools tests use.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import multiprocessing
import multiprocessing.context
import threading
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .cpython_internals import workers_of as cpython_workers_of
from .registry import Registry

__all__ = [
    "CPYTHON_KINDS",
    "START_METHODS",
    "THREAD",
    "ExecutorKind",
    "KindUnavailable",
    "available_start_methods",
    "context_for",
    "get_kind",
    "kind_of_start_method",
    "kinds",
    "make_executor",
    "register_kinds",
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
#: CPython's executor kinds (the reference implementation), whether or not this platform
#: offers them.
CPYTHON_KINDS = (THREAD, *(f"process-{m}" for m in START_METHODS))

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
    ``default=False`` keeps it out of a run's default selection: a run gets it only by naming
    it (``--executor-kinds``, the ``executor_kinds`` marker), as the loky and dask kinds.
    """

    name: str
    factory: ExecutorFactory
    description: str = ""
    why_unavailable: Callable[[], str | None] = lambda: None
    workers: Callable[[concurrent.futures.Executor], list[Any]] | None = None
    shutdown: Callable[[concurrent.futures.Executor], None] | None = None
    #: Where it comes from: "cpython", "third-party" (built in here), or the registering plugin.
    source: str = "cpython"
    #: Whether a run that names no kinds gets it.
    default: bool = True


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


def _process_kind(method: str) -> ExecutorKind:
    def factory(max_workers: int | None = None, **options: Any) -> concurrent.futures.Executor:
        return concurrent.futures.ProcessPoolExecutor(
            max_workers, mp_context=context_for(method), **options
        )

    def why_unavailable() -> str | None:
        if method in available_start_methods():
            return None
        return f"start method {method!r} is not offered on this platform"

    return ExecutorKind(
        kind_of_start_method(method), factory, f"ProcessPoolExecutor ({method})", why_unavailable
    )


#: Every kind a run knows: CPython's, then those registered through the hook.
_KINDS: Registry[ExecutorKind] = Registry(
    "executor kind",
    [
        ExecutorKind(THREAD, concurrent.futures.ThreadPoolExecutor, "ThreadPoolExecutor"),
        *(_process_kind(m) for m in START_METHODS),
    ],
)


def kinds(*, available: bool = False, default: bool = False) -> list[str]:
    """Every executor kind ``--executor-kinds`` accepts (CPython's, then the registered ones);
    with ``available=True`` only those that can run here, with ``default=True`` only those a
    run gets when it names none (a kind registered with ``default=False`` is left out).

    >>> kinds()[:2]
    ['thread', 'process-fork']
    """
    return _KINDS.names(available=available, default=default)


def validate_start_methods(names: Iterable[str]) -> list[str]:
    """Check names against :data:`START_METHODS`; a :class:`ValueError` lists the valid ones."""
    chosen = [n.strip() for n in names if n.strip()]
    unknown = [n for n in chosen if n not in START_METHODS]
    if unknown:
        raise ValueError(
            f"unknown start method {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(START_METHODS)}"
        )
    return chosen


def validate_kinds(names: Iterable[str]) -> list[str]:
    """Check names against :func:`kinds`; a :class:`ValueError` lists the valid ones."""
    return _KINDS.validate(names)


def get_kind(name: str) -> ExecutorKind:
    """The kind called ``name``; a :class:`ValueError` names the accepted ones."""
    return _KINDS.entry(name.strip())


def unavailable_reason(name: str) -> str | None:
    """Why kind ``name`` cannot run here, or ``None`` when it can."""
    return _KINDS.unavailable_reason(name)


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
    why = found.why_unavailable()
    if why is not None:
        raise KindUnavailable(why)
    pool = found.factory(max_workers, initializer=initializer, initargs=initargs, **options)
    _kind_of_pool[pool] = found
    return pool


# Which kind made each pool (weakly: a pool's entry goes with it).
_kind_of_pool: weakref.WeakKeyDictionary[concurrent.futures.Executor, ExecutorKind]
_kind_of_pool = weakref.WeakKeyDictionary()


def workers_of(pool: concurrent.futures.Executor) -> list[threading.Thread | Any]:
    """The threads and processes that run ``pool``'s work, in the order to join them."""
    made_by = _kind_of_pool.get(pool)
    if made_by is not None and made_by.workers is not None:
        return made_by.workers(pool)
    cpython_pools = (concurrent.futures.ThreadPoolExecutor, concurrent.futures.ProcessPoolExecutor)
    if isinstance(pool, cpython_pools):
        return cpython_workers_of(pool)
    return []


def shutdown_nowait(pool: concurrent.futures.Executor) -> None:
    """Shut ``pool`` down without waiting, cancelling calls that have not started where the
    executor can; join :func:`workers_of` it (taken before) to wait."""
    made_by = _kind_of_pool.get(pool)
    if made_by is not None and made_by.shutdown is not None:
        made_by.shutdown(pool)
        return
    try:
        pool.shutdown(wait=False, cancel_futures=True)
    except TypeError:  # an Executor whose shutdown() predates cancel_futures
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


def register_kinds(kinds: Mapping[str, ExecutorFactory | ExecutorKind], source: str) -> list[str]:
    """Add kinds (``{name: factory or ExecutorKind}``) from ``source`` (a plugin's name); a
    :class:`ValueError` says what is wrong with a name or a factory. Returns the names added."""

    def make(name: str, value: object) -> ExecutorKind:
        if isinstance(value, ExecutorKind):
            return value if value.name == name else dataclasses.replace(value, name=name)
        if callable(value):
            return ExecutorKind(name, value, f"registered by {source}", source=source)
        raise ValueError(
            f"{source}: executor kind {name!r} needs a factory (a callable taking "
            f"max_workers and the pool options) or an ExecutorKind, got {value!r}"
        )

    return _KINDS.register(kinds, source, make)


def unregister_kinds(names: Iterable[str]) -> None:
    """Forget registered kinds (at the end of the run that registered them)."""
    _KINDS.unregister(names)


# --- names kept for one release -----------------------------------------------------------------


def _available_kinds() -> list[str]:
    return [k for k in kinds(available=True) if k in CPYTHON_KINDS]


def _default_kinds() -> list[str]:
    return [k for k in kinds(default=True) if k not in CPYTHON_KINDS or k in _available_kinds()]


_DEPRECATED: dict[str, tuple[Callable[..., Any], str]] = {
    "available_kinds": (
        _available_kinds,
        "use executors.kinds(available=True), which also lists the registered kinds that can "
        "run here, or available_start_methods()",
    ),
    "known_kinds": (kinds, "use executors.kinds()"),
    "all_kinds": (lambda: list(CPYTHON_KINDS), "use executors.CPYTHON_KINDS"),
    "default_kinds": (
        _default_kinds,
        "use executors.kinds(default=True), which also lists CPython's process kinds this "
        "platform does not offer (the run's --start-methods leaves them out)",
    ),
}
#: Names that moved to the module of the kind they belong to.
_MOVED = {
    "DASK_SCHEDULER_ENV": "pytest_concurrency.kinds.dask",
    "set_dask_scheduler": "pytest_concurrency.kinds.dask",
    "close_sessions": "pytest_concurrency.kinds",
}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        function, instead = _DEPRECATED[name]
        warnings.warn(
            f"pytest_concurrency.executors.{name}() is deprecated and goes in the next "
            f"release; {instead}",
            DeprecationWarning,
            stacklevel=2,
        )
        return function
    if name in _MOVED:
        import importlib

        home = _MOVED[name]
        warnings.warn(
            f"pytest_concurrency.executors.{name} moved to {home}.{name}; the old name goes in "
            "the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(home), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
