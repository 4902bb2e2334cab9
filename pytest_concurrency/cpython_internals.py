"""The one module that reads CPython's private executor state.

``ThreadPoolExecutor`` and ``ProcessPoolExecutor`` keep their workers, queues and flags in
private attributes, and the plugin needs some of them: the leak check joins a pool's workers
and pins a leak on the pool that made it, the warm pools check that a pool is healthy and idle
before handing it on. Those attributes are read here and nowhere else in the package
(``tests/test_pools.py`` checks it); the exploration package, which models the executors, and
the specs (a spec about an attribute reads it itself, and says so) are outside this rule. Each
function is flagged as trio flags its own uses of private names:

* *internal API*: what it reads;
* *why*: what the plugin needs it for;
* *public API that would replace it*: what CPython would have to offer for us to stop.

Every function accepts any executor and falls back to "nothing" for executors that lack the
attribute (loky's ``ProcessPoolExecutor`` has CPython's layout; others have none), so a
change of layout in a new Python degrades to a less precise leak check, not a crash.

Only the standard library is imported here: :mod:`.hygiene` imports this module, and must
stay cheap to import.
"""

from __future__ import annotations

import concurrent.futures
import queue
from typing import Any

__all__ = [
    "broken_reason",
    "call_queue_of",
    "drop_cancelled_thread_calls",
    "executor_parts",
    "feeder_thread",
    "is_process_pool",
    "is_shut_down",
    "manager_thread",
    "max_workers_of",
    "pending_count",
    "queues_of",
    "retires_workers",
    "starts_workers_at_once",
    "wake_manager",
    "work_queue_of",
    "worker_pids",
    "worker_processes",
    "worker_threads",
    "workers_of",
]


def is_process_pool(pool: object) -> bool:
    """Whether ``pool`` is CPython's ``ProcessPoolExecutor`` (or a subclass)."""
    return isinstance(pool, concurrent.futures.ProcessPoolExecutor)


def worker_threads(pool: object) -> list[Any]:
    """The worker threads a ``ThreadPoolExecutor`` has started.

    internal API: ``ThreadPoolExecutor._threads``; why: the leak check joins them after the
    pool is shut down, and the warm pools check they are alive; public API that would replace
    it: an ``Executor.workers()`` (or a ``join()`` that takes a timeout).
    """
    return list(getattr(pool, "_threads", None) or ())


def worker_processes(pool: object) -> dict[int, Any]:
    """A ``ProcessPoolExecutor``'s worker processes by pid (CPython's layout, as loky's).

    internal API: ``ProcessPoolExecutor._processes``; why: the leak check joins them, and the
    warm pools check none has died or been replaced; public API that would replace it: an
    ``Executor.workers()``.
    """
    return dict(getattr(pool, "_processes", None) or {})


def retires_workers(pool: object) -> bool:
    """Whether a process pool replaces each worker after some calls (``max_tasks_per_child``).

    internal API: ``ProcessPoolExecutor._max_tasks_per_child``; why: such a pool's workers end
    by design, so a pid gone is no sign of a killed worker; public API that would replace it:
    the option readable on the executor.
    """
    return getattr(pool, "_max_tasks_per_child", None) is not None


def worker_pids(pool: object) -> set[int]:
    """The pids of a process pool's workers (empty for other executors)."""
    return set(worker_processes(pool)) if is_process_pool(pool) else set()


def manager_thread(pool: object) -> Any:
    """The thread that feeds a ``ProcessPoolExecutor``'s workers and reaps them, or ``None``.

    internal API: ``ProcessPoolExecutor._executor_manager_thread``; why: it must be joined
    before the workers (it races a join for ``waitpid()``), and a pool whose manager has ended
    is not healthy; public API that would replace it: an ``Executor.workers()`` or a
    ``shutdown(wait=True, timeout=...)``.
    """
    return getattr(pool, "_executor_manager_thread", None)


def workers_of(pool: object) -> list[Any]:
    """The threads and processes that run a CPython pool's work, in the order to join them:
    a thread pool's threads; a process pool's manager thread, then its worker processes
    (also for executors with CPython's process-pool layout, as loky's)."""
    if isinstance(pool, concurrent.futures.ThreadPoolExecutor):
        return worker_threads(pool)
    manager = manager_thread(pool)
    # The manager thread reaps the workers. Join it first: joining a worker while it reaps
    # that worker loses the race for waitpid(), and multiprocessing then reports the reaped
    # worker as alive.
    return [*([manager] if manager is not None else []), *worker_processes(pool).values()]


def queues_of(pool: object) -> list[Any]:
    """A process pool's call and result queues (none for other executors).

    internal API: ``ProcessPoolExecutor._call_queue`` and ``._result_queue``; why: they
    outlive a test while a warm pool idles, holding named semaphores the leak check would
    otherwise count; public API that would replace it: an ``Executor.workers()`` listing
    every resource the pool holds.
    """
    found = [getattr(pool, name, None) for name in ("_call_queue", "_result_queue")]
    return [q for q in found if q is not None]


def feeder_thread(pool: object) -> Any:
    """The thread that feeds a process pool's call queue, or ``None`` before it starts.

    internal API: ``multiprocessing.Queue._thread`` of ``._call_queue``; why: it runs while a
    warm pool idles, so it is long-lived, not a test's leak; public API that would replace
    it: as for :func:`queues_of`.
    """
    return getattr(getattr(pool, "_call_queue", None), "_thread", None)


def call_queue_of(pool: object) -> Any:
    """A process pool's call queue, or ``None``: read before ``shutdown()``, which drops it.

    internal API: ``ProcessPoolExecutor._call_queue``; why: when the manager thread has died,
    nothing closes the queue, and its feeder thread waits for calls forever; closing it (a
    public method of the queue) ends the feeder, as the manager does when it ends normally.
    Public API that would replace it: a ``shutdown()`` that still works when the manager thread
    has died.
    """
    return getattr(pool, "_call_queue", None)


def executor_parts(pool: object) -> list[Any]:
    """Everything of a CPython pool that lives while it idles: its workers (as
    :func:`workers_of`), the call queue's feeder thread and the two queues. What a pool kept
    warm registers as long-lived; nothing for executors of other makes."""
    cpython_pools = (concurrent.futures.ThreadPoolExecutor, concurrent.futures.ProcessPoolExecutor)
    if not isinstance(pool, cpython_pools):
        return []
    feeder = feeder_thread(pool)
    return [*workers_of(pool), *([feeder] if feeder is not None else []), *queues_of(pool)]


def max_workers_of(pool: object) -> int | None:
    """The ``max_workers`` a CPython pool was made with (``None`` for other executors).

    internal API: ``._max_workers``; why: a warm pool with more workers than that is not
    healthy; public API that would replace it: a read-only ``Executor.max_workers``.
    """
    value = getattr(pool, "_max_workers", None)
    return value if isinstance(value, int) else None


def broken_reason(pool: object) -> str | None:
    """Why a CPython pool is broken (its own message), or ``None`` when it is not.

    internal API: ``._broken``; why: a broken pool is never handed to the next test; public
    API that would replace it: an ``Executor.broken`` property (today only a submit raising
    ``BrokenExecutor`` tells).
    """
    broken = getattr(pool, "_broken", False)
    return str(broken) if broken else None


def is_shut_down(pool: object) -> bool:
    """Whether a CPython pool has been shut down.

    internal API: ``ThreadPoolExecutor._shutdown``, ``ProcessPoolExecutor._shutdown_thread``;
    why: a pool the test shut down is not handed to the next test; public API that would
    replace it: an ``Executor.is_shutdown`` property.
    """
    if isinstance(pool, concurrent.futures.ThreadPoolExecutor):
        return bool(getattr(pool, "_shutdown", False))
    return bool(getattr(pool, "_shutdown_thread", False))


def pending_count(pool: object) -> int:
    """How many calls a process pool still holds (queued or running); 0 once shut down and
    for other executors.

    internal API: ``ProcessPoolExecutor._pending_work_items``; why: a warm pool goes back only
    once the manager thread has dropped the test's cancelled calls; public API that would
    replace it: an ``Executor.pending()`` count.
    """
    if not is_process_pool(pool) or is_shut_down(pool):
        return 0
    return len(getattr(pool, "_pending_work_items", None) or ())


def starts_workers_at_once(pool: object) -> bool:
    """Whether a process pool starts all its workers on first use (``fork``, from Python 3.11)
    instead of on demand.

    internal API: ``ProcessPoolExecutor._safe_to_dynamically_spawn_children``; why: such a
    pool with fewer workers than ``max_workers`` has lost some; public API that would replace
    it: none needed if ``Executor.workers()`` existed.
    """
    return not getattr(pool, "_safe_to_dynamically_spawn_children", True)


def work_queue_of(pool: object) -> Any:
    """A ``ThreadPoolExecutor``'s queue of calls not yet taken by a worker, or ``None``.

    internal API: ``ThreadPoolExecutor._work_queue``; why: a warm pool's next test must not
    wait behind the last test's cancelled calls (:func:`drop_cancelled_thread_calls`), and the
    thread virtual time tells a pool made inside its bubble by its queue; public API that
    would replace it: ``Future.cancel()`` dequeuing the call.
    """
    return getattr(pool, "_work_queue", None)


def drop_cancelled_thread_calls(pool: concurrent.futures.ThreadPoolExecutor) -> None:
    """Take cancelled calls out of a thread pool's queue, as its worker would on reaching them
    (the queue's items are CPython's private ``_WorkItem``: ``None`` or one with ``.future``)."""
    work = work_queue_of(pool)
    if work is None:
        return
    kept = []
    while True:
        try:
            item = work.get_nowait()
        except queue.Empty:
            break
        if item is None or not item.future.cancelled():
            kept.append(item)  # a shutdown signal, or a call of nobody's: leave it
        else:
            item.future.set_running_or_notify_cancel()  # as the worker would have
    for item in kept:
        work.put(item)


def wake_manager(pool: object) -> None:
    """Wake a process pool's manager thread, so that it drops cancelled calls now.

    internal API: ``._executor_manager_thread_wakeup``, ``._shutdown_lock``,
    ``._shutdown_thread``, ``._pending_work_items``; why: as for
    :func:`drop_cancelled_thread_calls`; public API that would replace it: ``Future.cancel()``
    dequeuing the call.
    """
    wakeup = getattr(pool, "_executor_manager_thread_wakeup", None)
    lock = getattr(pool, "_shutdown_lock", None)
    if wakeup is None or lock is None or not pending_count(pool):
        return
    with lock:
        if not is_shut_down(pool):
            wakeup.wakeup()
