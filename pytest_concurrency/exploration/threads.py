"""Threads under exploration: a small pool of reused worker threads and a direct hand-off.

Each pool thread parks on its own lock (used as a binary semaphore). The worker holding the
token decides, at its step boundary, who runs next and releases that worker's lock: one
hand-off per switch, none when the same worker goes on. The scenario's thread waits for the
end of the group, and watches for a worker that stops making progress outside a step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..sync import HangError
from ..timeouts import hang_bound
from .scheduler import (
    DONE,
    NEW,
    RUNNING,
    WAITING,
    Aborted,
    Run,
    Strategy,
    Worker,
    short_bound,
    worker_names,
)

__all__ = ["Call", "ThreadPool", "ThreadRun", "ThreadSteps"]


class _PoolThread:
    def __init__(self, pool: ThreadPool, number: int) -> None:
        self.pool = pool
        self.wake = threading.Lock()
        self.wake.acquire()
        self.job: Callable[[], None] | None = None
        self.idle = True
        self.thread = threading.Thread(
            target=self._main, name=f"explore-worker-{number}", daemon=True
        )
        self.thread.start()

    def _main(self) -> None:
        while True:
            self.wake.acquire()
            job, self.job = self.job, None
            if job is None:
                return
            job()
            if self.pool.closed:  # came back from user code after the exploration ended
                return


class ThreadPool:
    """Worker threads reused by every schedule of one exploration."""

    def __init__(self) -> None:
        self.threads: list[_PoolThread] = []
        self.lost = False  # a thread stuck in user code: do not reuse the pool
        self.closed = False

    def take(self, n: int) -> list[_PoolThread]:
        while len(self.threads) < n:
            self.threads.append(_PoolThread(self, len(self.threads)))
        return self.threads[:n]

    def close(self, timeout: float) -> list[threading.Thread]:
        """End the threads; return those still running after ``timeout`` (stuck)."""
        self.closed = True
        for pooled in self.threads:
            pooled.job = None
            if pooled.idle:
                pooled.wake.release()
        deadline = time.monotonic() + timeout
        stuck = []
        for pooled in self.threads:
            # A thread still in user code after a hang is not waited for again.
            left = max(0.0, deadline - time.monotonic()) if pooled.idle or not self.lost else 0.0
            pooled.thread.join(left)
            if pooled.thread.is_alive():
                stuck.append(pooled.thread)
        self.threads = []
        return stuck


class ThreadRun(Run):
    """One schedule with threads."""

    def __init__(self, strategy: Strategy, pool: ThreadPool) -> None:
        super().__init__(strategy)
        self.pool = pool
        self.mutex = threading.Lock()
        self.finished = threading.Lock()
        self.local = threading.local()

    # --- the scenario's thread ---

    def run_threads(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> list[Any]:
        if self.workers and not self.all_done():
            raise RuntimeError("run_threads cannot be nested or run from a worker")
        if getattr(self.local, "worker", None) is not None:
            raise RuntimeError("run_threads cannot be called from a worker")
        group = [Worker(i, name) for i, name in enumerate(worker_names(args))]
        for worker, pooled in zip(group, self.pool.take(len(group)), strict=True):
            worker.handle = pooled
        self.workers = group
        self.finished.acquire(blocking=False)
        with self.mutex:
            self._fn, self._args = fn, args
            self._start(group[0], fn, args[0])
        self._wait()
        if self.failure is not None:
            raise self.failure
        if self.errors:
            raise self.errors[0]
        return [w.result for w in group]

    def _wait(self) -> None:
        bound = short_bound(hang_bound)
        seen, since = self.progress, time.monotonic()
        while not self.finished.acquire(timeout=bound / 8):
            if self.progress != seen:
                seen, since = self.progress, time.monotonic()
                continue
            if time.monotonic() - since < bound:
                continue
            with self.mutex:
                if self.all_done():
                    continue
                stuck = self.running_worker()
                who = f"worker {stuck.name!r}" if stuck is not None else "a worker"
                self._abort(
                    HangError(
                        f"{who} blocked outside a step for {bound:.1f} s (the short hang bound) "
                        f"after the schedule {self.schedule}: it waits on something the "
                        "exploration does not control (a plain lock, event, queue, sleep); use "
                        "steps.lock()/event()/condition(), or put the wait inside a step"
                    )
                )
            if not self.finished.acquire(timeout=bound):
                self.pool.lost = True
            return

    # --- worker threads, holding the token ---

    def _start(self, worker: Worker, fn: Callable[..., Any], arg: Any) -> None:
        pooled = worker.handle
        worker.state = RUNNING
        pooled.idle = False

        def job() -> None:
            self._work(worker, fn, arg)

        pooled.job = job
        self.progress += 1
        pooled.wake.release()

    def _work(self, worker: Worker, fn: Callable[..., Any], arg: Any) -> None:
        self.local.worker = worker
        try:
            worker.result = fn(arg)
        except Aborted:
            pass
        except BaseException as error:  # an outcome, handed to the scenario
            worker.error = error
            self.errors.append(error)
        finally:
            self.local.worker = None
            worker.handle.idle = True
            self._finish(worker)

    def _wake(self, worker: Worker) -> None:
        if worker.state == NEW:
            self._start(worker, self._fn, self._args[worker.index])
            return
        worker.parked = False
        worker.handle.wake.release()

    def _abort(self, failure: BaseException) -> None:
        """Abandon the schedule: every parked worker raises :class:`Aborted` and unwinds."""
        if not self.aborted:
            self.aborted = True
            self.failure = failure
        for worker in self.workers:
            if worker.state == NEW:  # never started: nothing to unwind
                worker.state = DONE
            elif worker.parked:
                worker.parked = False
                worker.handle.wake.release()
        if self.all_done():
            self.finished.release()

    def _finish(self, worker: Worker) -> None:
        with self.mutex:
            worker.state = DONE
            if self.aborted:
                if self.all_done():
                    self.finished.release()
                return
            try:
                following = self.decide(None)
            except AssertionError as error:
                self._abort(error)
                return
            if following is not None:
                self._wake(following)
            elif self.all_done():
                self.finished.release()
            else:
                self._abort(self.deadlock())

    def current(self) -> Worker:
        worker: Worker | None = getattr(self.local, "worker", None)
        if worker is None:
            if self.workers and not self.all_done():
                raise RuntimeError(
                    "steps are taken inside the workers that steps.run_threads started"
                )
            return self.main  # before or after the workers: a step is no switch point
        return worker

    def request(
        self,
        worker: Worker,
        name: str,
        enabled: Callable[[], bool] | None = None,
        on_grant: Callable[[], None] | None = None,
    ) -> None:
        """``worker`` (holding the token) asks for step ``name``; return when it is granted."""
        if worker is self.main:
            self.grant_main(enabled, on_grant, name)
            return
        with self.mutex:
            if self.aborted:
                raise Aborted
            worker.state = WAITING
            worker.pending = name
            worker.enabled = enabled
            worker.on_grant = on_grant
            try:
                following = self.decide(worker)
            except AssertionError as error:
                self._abort(error)
                raise Aborted from None
            if following is worker:
                return
            if following is None:
                self._abort(self.deadlock())
                raise Aborted
            worker.parked = True
            self._wake(following)
        worker.handle.wake.acquire()
        if self.aborted:
            raise Aborted


class _Step:
    __slots__ = ("name", "run")

    def __init__(self, run: ThreadRun, name: str) -> None:
        self.run = run
        self.name = name

    def __enter__(self) -> None:
        run = self.run
        worker = run.current()
        run.request(worker, run.step_name(worker, self.name))

    def __exit__(self, *exc: object) -> None:
        return None


class Lock:
    """A lock whose ``acquire`` is a step (``"a acquires lock1"``): its orders are explored
    and a deadlock is found, not hung on. Not reentrant."""

    def __init__(self, run: ThreadRun, name: str) -> None:
        self._run = run
        self.name = name
        self.owner: Worker | None = None

    def __repr__(self) -> str:
        return f"<explored lock {self.name!r} held by {self.owner.name if self.owner else None}>"

    def locked(self) -> bool:
        return self.owner is not None

    def acquire(self) -> bool:
        run = self._run
        worker = run.current()

        def take() -> None:
            self.owner = worker

        run.request(
            worker, run.step_name(worker, f"{worker.name} acquires {self.name}"), self._free, take
        )
        return True

    def _free(self) -> bool:
        return self.owner is None

    def release(self) -> None:
        if self.owner is None:
            raise RuntimeError(f"release of {self.name}, which is not held")
        self.owner = None

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Event:
    """An event whose ``wait`` is a step, granted once the event is set (``set`` and
    ``clear`` are not steps: put them inside one to explore around them)."""

    def __init__(self, run: ThreadRun, name: str) -> None:
        self._run = run
        self.name = name
        self._flag = False

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        self._flag = True

    def clear(self) -> None:
        self._flag = False

    def wait(self) -> bool:
        run = self._run
        worker = run.current()
        run.request(worker, run.step_name(worker, f"{worker.name} waits {self.name}"), self.is_set)
        return True


class Condition:
    """A condition variable on an explored :class:`Lock`: ``wait`` releases the lock, and is
    a step granted once notified and the lock is free again. A notify nobody waits for is
    lost, as with :class:`threading.Condition`; a wait never notified is a deadlock."""

    def __init__(self, run: ThreadRun, name: str, lock: Lock | None = None) -> None:
        self._run = run
        self.name = name
        self.lock = lock if lock is not None else Lock(run, f"{name}.lock")
        self._waiters: list[Worker] = []

    def __enter__(self) -> Condition:
        self.lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()

    def wait(self) -> bool:
        run = self._run
        worker = run.current()
        if self.lock.owner is not worker:
            raise RuntimeError(f"wait on {self.name} without holding its lock")
        self.lock.release()
        self._waiters.append(worker)

        def ready() -> bool:
            return worker not in self._waiters and self.lock.owner is None

        def take() -> None:
            self.lock.owner = worker

        try:
            run.request(
                worker, run.step_name(worker, f"{worker.name} waits {self.name}"), ready, take
            )
        except Aborted:
            if worker in self._waiters:
                self._waiters.remove(worker)
            self.lock.owner = worker if self.lock.owner is None else self.lock.owner
            raise
        return True

    def wait_for(self, predicate: Callable[[], Any]) -> Any:
        result = predicate()
        while not result:
            self.wait()
            result = predicate()
        return result

    def notify(self, n: int = 1) -> None:
        del self._waiters[:n]

    def notify_all(self) -> None:
        self._waiters.clear()


class ThreadSteps:
    """What a thread scenario receives: ``step``, ``run_threads``, cooperative primitives,
    ``record`` for linearizability."""

    def __init__(self, run: ThreadRun) -> None:
        self._run = run

    def step(self, name: str) -> _Step:
        """``with steps.step("a reads"): ...``: a point where another worker may run first."""
        return _Step(self._run, name)

    def run_threads(self, fn: Callable[[Any], Any], *args: Any) -> list[Any]:
        """Run ``fn(arg)`` in one worker thread per argument; return their results when all
        have finished (the first exception, if one raised)."""
        if not args:
            return []
        return self._run.run_threads(fn, args)

    @property
    def worker(self) -> str:
        """The name of the worker calling (``"a"`` for ``run_threads(fn, "a", "b")``)."""
        return self._run.current().name

    def _name(self, name: str | None, kind: str) -> str:
        self._run.primitives += 1
        return name if name is not None else f"{kind}{self._run.primitives}"

    def lock(self, name: str | None = None) -> Lock:
        """A lock whose acquire is a step."""
        return Lock(self._run, self._name(name, "lock"))

    def event(self, name: str | None = None) -> Event:
        """An event whose wait is a step."""
        return Event(self._run, self._name(name, "event"))

    def condition(self, lock: Lock | None = None, name: str | None = None) -> Condition:
        """A condition variable whose wait is a step."""
        return Condition(self._run, self._name(name, "condition"), lock)

    @contextmanager
    def record(self, name: str, *args: Any) -> Iterator[Call]:
        """Log one operation's call and return for :meth:`Exploration.assert_linearizable`::

        with steps.record("increment") as call:
            call.result = counter.increment()
        """
        run = self._run
        current: Worker | None = getattr(run.local, "worker", None)
        worker = current.name if current is not None else "main"  # before or after the workers
        call = Call(name, args)
        run.history.append(("call", worker, call))
        try:
            yield call
        except Aborted:
            raise
        except BaseException as error:
            call.error = error
            run.history.append(("return", worker, call))
            raise
        run.history.append(("return", worker, call))


UNSET: Any = type("Unset", (), {"__repr__": lambda self: "(no result recorded)"})()


class Call:
    """One recorded operation: set :attr:`result` inside ``steps.record`` (or call
    :meth:`returns`); an operation whose result is not set is applied to the model but its
    result is not compared."""

    __slots__ = ("args", "error", "name", "result")

    def __init__(self, name: str, args: tuple[Any, ...]) -> None:
        self.name = name
        self.args = args
        self.result: Any = UNSET
        self.error: BaseException | None = None

    def returns(self, value: Any) -> Any:
        """Record ``value`` as the operation's result, and give it back."""
        self.result = value
        return value

    def __repr__(self) -> str:
        shown = ", ".join(map(repr, self.args))
        outcome = f"raised {self.error!r}" if self.error is not None else repr(self.result)
        return f"{self.name}({shown}) -> {outcome}"
