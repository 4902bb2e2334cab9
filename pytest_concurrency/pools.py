"""The pools tests use: warm by default, fresh on request, always handed over idle and healthy.

Starting a process pool costs tens of milliseconds under ``spawn``; most tests only need *a*
pool of the right kind and size, not a new one. So the executor fixtures lease pools from
:class:`WarmPools`, one cache per pytest session (per xdist worker), as loky's reusable
executor does:

* a lease takes an idle pool of the same kind, size and options, or makes one;
* while leased, the pool is the test's alone, and every future the test submits is recorded;
* at the lease's end the test's futures that have not started are cancelled, those running
  are waited for (up to the ``medium`` hang bound), and the pool is checked: not broken, not
  shut down by the test, every worker alive, the expected number of workers. A healthy pool
  goes back to the cache, its workers registered with :mod:`.hygiene` as long-lived so the
  leak check does not count them; any other is shut down and checked like a fresh one, never
  handed on;
* at the end of the session every cached pool is shut down and its workers joined, within
  the ``medium`` bound.

Fresh pools (made for one test, shut down at its end, never cached) are used when the test
asks (``fresh=True``, the ``fresh_pools`` marker), when the run asks (``--pool-reuse=off``),
and always for pools with an ``initializer`` (initializers usually take per-test objects, a
barrier or a gate, so a key would never match; and "the initializer runs when a worker starts"
is a claim about fresh workers), for ``max_tasks_per_child`` (workers that end by design), and
for executor kinds other than ``thread`` and ``process-<start method>`` (third-party executors
keep their own reuse).

What a warm pool does not reset: module state in its workers (globals, caches, a seeded
random generator) persists from one test to the next. ``on_lease=fn`` runs ``fn(*on_lease_args)``
in each worker before the first call of the lease that worker runs; or ask for a fresh pool.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import itertools
import multiprocessing.connection
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Container, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .cpython_internals import (  # CPython's private executor state, read there only
    broken_reason,
    call_queue_of,
    drop_cancelled_thread_calls,
    feeder_thread,
    is_process_pool,
    is_shut_down,
    manager_thread,
    max_workers_of,
    pending_count,
    queues_of,
    retires_workers,
    starts_workers_at_once,
    wake_manager,
    worker_pids,
    worker_processes,
    worker_threads,
)
from .executors import THREAD, make_executor, shutdown_nowait, start_method_of, workers_of
from .hygiene import Survivor, join_all, keep_alive
from .timeouts import hang_bound

__all__ = [
    "PoolKeeper",
    "WarmPools",
    "default_max_workers",
    "health_problem",
    "shutdown_and_check",
]

PoolKey = tuple[str, int, tuple[tuple[str, Hashable], ...]]

#: Options that make a pool fresh: its workers end by design.
_FRESH_OPTIONS = frozenset({"max_tasks_per_child"})


def _cpus() -> int:
    # The count the standard library's pools size themselves by, on this version.
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return count or 1


def default_max_workers(kind: str) -> int:
    """The ``max_workers`` a pool of ``kind`` made with ``max_workers=None`` gets, now.

    ``thread``: ``min(32, CPUs + 4)``; process kinds: the CPUs (at most 61 on Windows). CPUs
    is ``os.process_cpu_count()`` from Python 3.13, ``os.cpu_count()`` before; read at each
    call, so a monkeypatched count or a changed CPU affinity gives another key.
    """
    if kind == THREAD:
        return min(32, _cpus() + 4)
    workers = _cpus()
    return min(workers, 61) if sys.platform == "win32" else workers


def _process_ended(process: Any) -> bool:
    """Whether a worker process has ended, even if nobody has noticed yet.

    The sentinel tells at once for children of this process (fork, spawn); a forkserver's
    worker is the server's child, whose sentinel is only written after the server has reaped
    it, so the process table is asked too (a zombie, or no such process, has ended).
    """
    try:
        if multiprocessing.connection.wait([process.sentinel], timeout=0):
            return True
    except (OSError, ValueError):  # closed: the process is gone
        return True
    pid = process.pid
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/stat") as proc_stat:  # closed at once: no ResourceWarning
            stat = proc_stat.read()
    except FileNotFoundError:
        return True
    except OSError:  # no /proc here: ask the kernel whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] in (["Z"], ["X"])


def health_problem(
    pool: concurrent.futures.Executor, pids_at_start: Iterable[int] = ()
) -> str | None:
    """Why ``pool`` may not be handed to another test, or ``None`` when it is healthy.

    Healthy: not broken, not shut down, every worker alive (none of ``pids_at_start`` lost),
    no more workers than ``max_workers``, and all of them where the pool starts its workers
    at once (``fork`` process pools from Python 3.11 once used; thread pools and on-demand
    process pools start workers lazily, so fewer is idle, not unhealthy).
    """
    broken = broken_reason(pool)
    if broken is not None:
        return f"broken ({broken})"
    if isinstance(pool, concurrent.futures.ThreadPoolExecutor):
        if is_shut_down(pool):
            return "shut down by the test"
        threads = worker_threads(pool)
        if not all(t.is_alive() for t in threads):
            return "a worker thread has ended"
        limit = max_workers_of(pool)
        if limit is not None and len(threads) > limit:
            return f"{len(threads)} worker threads for max_workers={limit}"
        return None
    if is_process_pool(pool):
        if is_shut_down(pool):
            return "shut down by the test"
        processes = worker_processes(pool)
        lost = set(pids_at_start) - set(processes)
        if lost:
            return f"worker process(es) {sorted(lost)} gone"
        dead = [pid for pid, p in processes.items() if _process_ended(p)]
        if dead:
            return f"worker process(es) {sorted(dead)} ended"
        manager = manager_thread(pool)
        if manager is not None and not manager.is_alive():
            return "its manager thread has ended"
        limit = max_workers_of(pool)
        if limit is not None and len(processes) > limit:
            return f"{len(processes)} worker processes for max_workers={limit}"
        all_at_once = starts_workers_at_once(pool)
        if all_at_once and manager is not None and len(processes) != limit:
            return f"{len(processes)} of {limit} worker processes"
        return None
    return "not a pool kind that is reused"


def _lost_a_worker(pool: concurrent.futures.Executor, pids_at_start: Iterable[int] = ()) -> bool:
    """Whether a process pool has a worker that ended (or vanished) without being asked to."""
    if not is_process_pool(pool):
        return False
    processes = worker_processes(pool)
    # A pool with max_tasks_per_child retires its workers by design: a pid gone is no loss.
    if not retires_workers(pool) and set(pids_at_start) - set(processes):
        return True
    return any(_process_ended(p) for p in processes.values())


def _manager_ended(pool: concurrent.futures.Executor) -> bool:
    """Whether a process pool's manager thread was started and has ended: normally only when
    the pool is shut down or broken; a manager that died of an exception of its own (such as
    ``InvalidStateError``, setting the result of a future marked cancelled while its call ran)
    leaves the workers and the queued calls with nobody to tend them."""
    manager = manager_thread(pool) if is_process_pool(pool) else None
    return manager is not None and not manager.is_alive()


def _kill(processes: Iterable[Any]) -> bool:
    """Kill the processes that are still alive; whether there was one."""
    killed = False
    for process in processes:
        if not _process_ended(process):
            with contextlib.suppress(OSError, ValueError, AttributeError):  # reaped or closed
                process.kill()
                killed = True
    return killed


def _long_lived_workers(pool: concurrent.futures.Executor) -> list[Any]:
    """Every thread and process that keeps running while ``pool`` idles."""
    feeder = feeder_thread(pool) if is_process_pool(pool) else None
    return [*workers_of(pool), *([feeder] if feeder is not None else [])]


def _long_lived_parts(pool: concurrent.futures.Executor) -> list[Any]:
    """Its workers, and the queues (with their semaphores) that outlive a test while it idles."""
    return [*_long_lived_workers(pool), *queues_of(pool)]


def shutdown_and_check(
    pool: concurrent.futures.Executor,
    bound: float | None = None,
    pids_at_start: Iterable[int] = (),
) -> list[Survivor]:
    """Shut ``pool`` down and return the workers still alive after ``bound`` (default: the
    ``medium`` hang bound); surviving processes are terminated.

    A process pool's workers are killed rather than asked to stop when nobody would ask them:

    * it lost a worker (one of ``pids_at_start``, or one that ended): a worker killed from
      outside may have died holding the call queue's read lock, and another worker blocked on
      that lock never reads the "stop" message; CPython's manager thread can take the shutdown
      request before it sees the dead worker (it checks its wake-up pipe first) and then joins
      the others without a bound (seen on 3.15 with fork, 1 run in 10). CPython kills the
      workers itself when it finds its pool broken;
    * its manager thread died (an exception of its own, such as ``InvalidStateError`` when the
      future of a running call was marked cancelled): a normal shutdown ends the manager last,
      after it has joined the workers, so workers alive once it has ended will never be told
      to stop. Their call queue is closed too, so its feeder thread ends, as the manager would
      have done.
    """
    workers = _long_lived_workers(pool)
    manager = manager_thread(pool) if is_process_pool(pool) else None
    processes = list(worker_processes(pool).values()) if is_process_pool(pool) else []
    call_queue = call_queue_of(pool)  # shutdown() drops the pool's references to both
    if _lost_a_worker(pool, pids_at_start):
        _kill(processes)
    shutdown_nowait(pool)  # the kind knows how (loky's shutdown() has no cancel_futures)
    limit = hang_bound("medium") if bound is None else bound
    deadline = time.monotonic() + limit
    if manager is not None:
        manager.join(limit)
        if not manager.is_alive() and _kill(processes) and call_queue is not None:
            with contextlib.suppress(OSError, ValueError):  # closed already
                call_queue.close()
    return join_all(workers, max(0.0, deadline - time.monotonic()), owner=type(pool).__name__)


# Which lease each worker (thread or process) last ran an ``on_lease`` hook for.
_worker_state = threading.local()


@dataclass(frozen=True)
class _OnLease:
    """A test's call, preceded in each worker by the lease's hook (once per worker and lease).

    Picklable whenever the hook and the call are, so it reaches process workers as they do.
    """

    lease: str
    hook: Callable[..., object]
    hook_args: tuple[Any, ...]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def __call__(self) -> Any:
        if getattr(_worker_state, "lease", None) != self.lease:
            self.hook(*self.hook_args)
            _worker_state.lease = self.lease
        return self.fn(*self.args, **self.kwargs)


@dataclass(eq=False)
class _Lease:
    """One test's use of one pool."""

    pool: concurrent.futures.Executor
    key: PoolKey | None  # None: a fresh pool, shut down at the lease's end
    futures: list[concurrent.futures.Future[Any]] = field(default_factory=list)
    pids_at_start: set[int] = field(default_factory=set)

    def watch(self, on_lease: Callable[..., object] | None, on_lease_args: tuple[Any, ...]) -> None:
        """Record every future the test submits (``map`` and ``run_in_executor`` submit too)."""
        pool, futures = self.pool, self.futures
        submit = type(pool).submit
        lease = uuid.uuid4().hex

        def recorded_submit(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            if on_lease is not None:
                call = _OnLease(lease, on_lease, on_lease_args, fn, args, kwargs)
                future = submit(pool, call)
            else:
                future = submit(pool, fn, *args, **kwargs)
            futures.append(future)
            return future

        recorded_submit.__doc__ = submit.__doc__
        pool.submit = recorded_submit  # type: ignore[method-assign]

    def settle(self, bound: float) -> str | None:
        """Cancel the test's calls that have not started and wait for the rest; the reason the
        pool is not idle after ``bound`` seconds, or ``None``."""
        vars(self.pool).pop("submit", None)
        deadline = time.monotonic() + bound
        for future in self.futures:
            future.cancel()
        _drop_cancelled(self.pool)
        # A cancelled future counts as done for wait() only once a worker has seen it.
        running = [future for future in self.futures if not future.cancelled()]
        self.futures.clear()
        # Waited in slices: a process pool whose manager thread died will never finish them.
        unfinished = set(running)
        while unfinished and not _manager_ended(self.pool):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            _, unfinished = concurrent.futures.wait(unfinished, timeout=min(left, 0.1))
        if _manager_ended(self.pool):  # shut down, broken, or died: health_problem says which
            return health_problem(self.pool) or "its manager thread has ended"
        if unfinished:
            return f"{len(unfinished)} call(s) of the test still running after {bound:.0f} s"
        while pending_count(self.pool):
            if time.monotonic() > deadline:
                return "cancelled calls still queued"
            if _manager_ended(self.pool):
                return health_problem(self.pool) or "its manager thread has ended"
            time.sleep(0.0005)
        return None


def _drop_cancelled(pool: concurrent.futures.Executor) -> None:
    """Take the test's cancelled calls out of the pool's queue, so the next test's calls do
    not wait behind them."""
    if isinstance(pool, concurrent.futures.ThreadPoolExecutor):
        drop_cancelled_thread_calls(pool)
    elif is_process_pool(pool):
        wake_manager(pool)  # the manager thread drops cancelled calls when it wakes


class WarmPools:
    """The session's running pools, idle and keyed by kind, size and options.

    ``max_idle`` bounds how many idle pools are kept; the least recently used is shut down
    when one more comes back. ``hits``, ``misses`` and ``replaced`` count what happened.
    """

    def __init__(self, max_idle: int = 16) -> None:
        self.max_idle = max_idle
        self._idle: collections.OrderedDict[int, tuple[PoolKey, concurrent.futures.Executor]]
        self._idle = collections.OrderedDict()
        self._order = itertools.count()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.replaced: list[str] = []  # why each pool was not handed on
        self.closed = False

    def __len__(self) -> int:
        return len(self._idle)

    def take(self, key: PoolKey) -> concurrent.futures.Executor | None:
        """An idle, healthy pool of ``key``, now leased (no longer idle), or ``None``.

        A pool that broke while idle (a worker killed from outside) is shut down instead.
        """
        while True:
            with self._lock:
                found = [(o, p) for o, (k, p) in reversed(self._idle.items()) if k == key]
                if not found:
                    self.misses += 1
                    return None
                order, pool = found[0]
                del self._idle[order]
            why = health_problem(pool)
            if why is None:
                with self._lock:
                    self.hits += 1
                return pool
            self.discard(pool, f"while idle: {why}", hang_bound("short"))

    def give_back(self, key: PoolKey, pool: concurrent.futures.Executor) -> list[Survivor]:
        """Keep a healthy, idle ``pool``; shut down and check the least recently used pool if
        there are now too many. Returns what outlived that shutdown."""
        keep_alive(_long_lived_parts(pool))
        with self._lock:
            if self.closed:
                evicted = [pool]
            else:
                self._idle[next(self._order)] = (key, pool)
                evicted = []
                while len(self._idle) > self.max_idle:
                    evicted.append(self._idle.popitem(last=False)[1][1])
        survivors: list[Survivor] = []
        for old in evicted:
            survivors += shutdown_and_check(old)
        return survivors

    def discard(
        self,
        pool: concurrent.futures.Executor,
        why: str,
        bound: float,
        pids_at_start: Iterable[int] = (),
    ) -> list[Survivor]:
        """Shut down a pool that may not be handed on; what outlived ``bound``."""
        self.replaced.append(why)
        return shutdown_and_check(pool, bound, pids_at_start)

    def clear(self, kinds: Container[str] | None = None) -> list[Survivor]:
        """Shut every idle pool (of ``kinds``, when given) down at once and join their workers
        within the ``medium`` bound; what outlived it (processes among them are terminated)."""
        with self._lock:
            chosen = [o for o, (k, _) in self._idle.items() if kinds is None or k[0] in kinds]
            pools = [self._idle.pop(order)[1] for order in chosen]
        workers = [(pool, _long_lived_workers(pool)) for pool in pools]
        for pool in pools:
            shutdown_nowait(pool)  # the kind knows how (loky's shutdown() has no cancel_futures)
        deadline = time.monotonic() + hang_bound("medium")
        survivors: list[Survivor] = []
        for pool, its_workers in workers:
            left = max(0.0, deadline - time.monotonic())
            survivors += join_all(its_workers, left, owner=f"a warm {type(pool).__name__}")
        return survivors

    def close(self) -> list[Survivor]:
        """End of session: no more pools come back; every idle one is shut down and checked."""
        with self._lock:
            self.closed = True
        return self.clear()


def _reusable(kind: str, initializer: object, options: dict[str, Any]) -> bool:
    if kind != THREAD and start_method_of(kind) is None:
        return False  # a third-party kind: its own reuse, if any
    if initializer is not None or _FRESH_OPTIONS & options.keys():
        return False
    try:
        hash(tuple(options.values()))
    except TypeError:
        return False
    return True


class PoolKeeper:
    """One test's pools: leased from ``warm`` (or made fresh), and given back or shut down by
    :meth:`close`.

    With ``warm=None`` every pool is fresh: made for this test, shut down at its end.
    """

    def __init__(self, warm: WarmPools | None = None) -> None:
        self.warm = warm
        self._leases: list[_Lease] = []
        self._left: list[Survivor] = []  # what outlived shutting the warm pools down for a fork

    def make(
        self,
        kind: str,
        max_workers: int | None = None,
        *,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        fresh: bool = False,
        on_lease: Callable[..., object] | None = None,
        on_lease_args: tuple[Any, ...] = (),
        **options: Any,
    ) -> concurrent.futures.Executor:
        """An idle executor of ``kind`` (``"thread"`` or ``"process-<start method>"``): a warm
        one of the same kind, size and options when there is one, else a new one.

        ``fresh=True`` asks for a new pool, used by this test only. ``on_lease`` runs
        ``on_lease(*on_lease_args)`` in each worker before the first call of this test that
        the worker runs (reset module state a warm worker kept from earlier tests).
        """
        if on_lease is not None and not callable(on_lease):
            raise TypeError(f"on_lease must be a callable or None, got {on_lease!r}")
        key: PoolKey | None = None
        pool = None
        if self.warm is not None and not fresh and _reusable(kind, initializer, options):
            size = default_max_workers(kind) if max_workers is None else max_workers
            key = (kind, size, tuple(sorted(options.items())))
            pool = self.warm.take(key)
        if pool is None:
            if self.warm is not None and start_method_of(kind) == "fork":
                # The new pool forks its workers; idle warm thread pools would make that a fork
                # of a multi-threaded process (a DeprecationWarning from 3.12). They cost
                # microseconds to make again, so they go. Warm process pools keep their manager
                # threads: making them again costs a spawn, and the warning is only a warning
                # (CPython drops it even where warnings are errors).
                self._left += self.warm.clear(kinds={THREAD})
            pool = make_executor(
                kind, max_workers, initializer=initializer, initargs=initargs, **options
            )
        lease = _Lease(pool, key, pids_at_start=worker_pids(pool))
        if key is not None or on_lease is not None:
            lease.watch(on_lease, on_lease_args)
        self._leases.append(lease)
        return pool

    def close(self) -> list[Survivor]:
        """End every lease: fresh pools are shut down; warm ones are settled, checked and given
        back, or shut down if the test broke them. Returns the workers that outlived the
        ``medium`` hang bound."""
        survivors, self._left = self._left, []
        leases, self._leases = self._leases, []
        for lease in leases:
            survivors += self._end(lease)
        return survivors

    def _end(self, lease: _Lease) -> list[Survivor]:
        bound = hang_bound("medium")
        if lease.key is None or self.warm is None:
            vars(lease.pool).pop("submit", None)
            return shutdown_and_check(lease.pool, bound, lease.pids_at_start)
        started = time.monotonic()
        why = lease.settle(bound) or health_problem(lease.pool, lease.pids_at_start)
        if why is not None:
            left = max(0.0, bound - (time.monotonic() - started))
            return self.warm.discard(lease.pool, why, left, lease.pids_at_start)
        return self.warm.give_back(lease.key, lease.pool)
