"""Tasks under exploration, on the running loop (any flavour: asyncio, uvloop, rloop, ...).

Each worker is a task; a parked task awaits a future of its own, and the task holding the token
resolves the future of the one chosen to go on. Only public asyncio API is used, so every loop
runs it. A watchdog timer notices a task that makes no progress outside a step (waiting on
something the exploration does not control) and cancels it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Iterator
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
from .threads import Call

__all__ = ["TaskRun", "TaskSteps"]

_current: contextvars.ContextVar[Worker | None] = contextvars.ContextVar(
    "explored_worker", default=None
)


class TaskRun(Run):
    """One schedule with tasks."""

    def __init__(self, strategy: Strategy, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(strategy)
        self.loop = loop
        self.finished: asyncio.Future[None] | None = None
        self.tasks: list[asyncio.Task[None]] = []
        self.lost = False

    async def run_tasks(
        self, fn: Callable[[Any], Awaitable[Any]], args: tuple[Any, ...]
    ) -> list[Any]:
        if _current.get() is not None or (self.workers and not self.all_done()):
            raise RuntimeError("run_tasks cannot be nested or run from a worker")
        loop = self.loop
        group = [Worker(i, name) for i, name in enumerate(worker_names(args))]
        self.workers = group
        finished = self.finished = loop.create_future()
        for worker, arg in zip(group, args, strict=True):
            worker.handle = loop.create_future()
            self.tasks.append(loop.create_task(self._work(worker, fn, arg)))
        self._wake(group[0])
        watchdog = _Watchdog(self)
        try:
            await asyncio.shield(finished)
        except asyncio.CancelledError:
            self._abort(asyncio.CancelledError())
            for task in self.tasks:
                task.cancel()
            raise
        finally:
            watchdog.stop()
        self.tasks = [t for t in self.tasks if not t.done()]
        if self.failure is not None:
            raise self.failure
        if self.errors:
            raise self.errors[0]
        return [w.result for w in group]

    async def _work(self, worker: Worker, fn: Callable[[Any], Awaitable[Any]], arg: Any) -> None:
        try:
            await worker.handle
            if self.aborted:
                return
            _current.set(worker)
            worker.result = await fn(arg)
        except Aborted:
            pass
        except asyncio.CancelledError:
            if not self.aborted:
                worker.error = HangError("a worker task was cancelled")
                self.errors.append(worker.error)
        except BaseException as error:  # an outcome, handed to the scenario
            worker.error = error
            self.errors.append(error)
        finally:
            self._finish(worker)

    def _signal_finished(self) -> None:
        if self.finished is not None and not self.finished.done():
            self.finished.set_result(None)

    def _wake(self, worker: Worker) -> None:
        worker.state = RUNNING
        worker.parked = False
        self.progress += 1
        handle: asyncio.Future[None] = worker.handle
        if not handle.done():
            handle.set_result(None)

    def _abort(self, failure: BaseException) -> None:
        if not self.aborted:
            self.aborted = True
            self.failure = failure
        for worker in self.workers:
            if worker.state == NEW or worker.parked:
                worker.parked = False
                if not worker.handle.done():
                    worker.handle.set_result(None)
        if self.all_done():
            self._signal_finished()

    def _finish(self, worker: Worker) -> None:
        worker.state = DONE
        if self.aborted:
            if self.all_done():
                self._signal_finished()
            return
        try:
            following = self.decide(None)
        except AssertionError as error:
            self._abort(error)
            return
        if following is not None:
            self._wake(following)
        elif self.all_done():
            self._signal_finished()
        else:
            self._abort(self.deadlock())

    def current(self) -> Worker:
        worker = _current.get()
        if worker is None:
            if self.workers and not self.all_done():
                raise RuntimeError("steps are taken inside the tasks that steps.run_tasks started")
            return self.main  # before or after the workers: a step is no switch point
        return worker

    async def request(
        self,
        worker: Worker,
        name: str,
        enabled: Callable[[], bool] | None = None,
        on_grant: Callable[[], None] | None = None,
    ) -> None:
        if worker is self.main:
            self.grant_main(enabled, on_grant, name)
            return
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
        handle = worker.handle = self.loop.create_future()
        worker.parked = True
        self._wake(following)
        await handle
        if self.aborted:
            raise Aborted


class _Watchdog:
    """Checks every eighth of the short hang bound that the schedule moves on."""

    def __init__(self, run: TaskRun) -> None:
        self.run = run
        self.bound = short_bound(hang_bound)
        self.seen = run.progress
        self.since = run.loop.time()
        self.aborted_at: float | None = None
        self.handle = run.loop.call_later(self.bound / 8, self.check)

    def stop(self) -> None:
        self.handle.cancel()

    def check(self) -> None:
        run = self.run
        now = run.loop.time()
        if self.aborted_at is not None:
            if now - self.aborted_at >= self.bound:  # a task that ignores cancellation
                run.lost = True
                run._signal_finished()
                return
        elif run.progress != self.seen:
            self.seen, self.since = run.progress, now
        elif now - self.since >= self.bound:
            stuck = run.running_worker()
            who = f"task {stuck.name!r}" if stuck is not None else "a task"
            run._abort(
                HangError(
                    f"{who} blocked outside a step for {self.bound:.1f} s (the short hang bound) "
                    f"after the schedule {run.schedule}: it awaits something the exploration "
                    "does not control; use steps.lock()/event()/condition(), or put the wait "
                    "inside a step"
                )
            )
            for task in run.tasks:
                if not task.done():
                    task.cancel()
            self.aborted_at = now
        self.handle = run.loop.call_later(self.bound / 8, self.check)


class _AsyncStep:
    __slots__ = ("name", "run")

    def __init__(self, run: TaskRun, name: str) -> None:
        self.run = run
        self.name = name

    async def __aenter__(self) -> None:
        run = self.run
        worker = run.current()
        await run.request(worker, run.step_name(worker, self.name))

    async def __aexit__(self, *exc: object) -> None:
        return None


class AsyncLock:
    """An asyncio-style lock whose ``acquire`` is a step."""

    def __init__(self, run: TaskRun, name: str) -> None:
        self._run = run
        self.name = name
        self.owner: Worker | None = None

    def locked(self) -> bool:
        return self.owner is not None

    async def acquire(self) -> bool:
        run = self._run
        worker = run.current()

        def take() -> None:
            self.owner = worker

        name = run.step_name(worker, f"{worker.name} acquires {self.name}")
        await run.request(worker, name, self._free, take)
        return True

    def _free(self) -> bool:
        return self.owner is None

    def release(self) -> None:
        if self.owner is None:
            raise RuntimeError(f"release of {self.name}, which is not held")
        self.owner = None

    async def __aenter__(self) -> AsyncLock:
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


class AsyncEvent:
    """An asyncio-style event whose ``wait`` is a step, granted once set."""

    def __init__(self, run: TaskRun, name: str) -> None:
        self._run = run
        self.name = name
        self._flag = False

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        self._flag = True

    def clear(self) -> None:
        self._flag = False

    async def wait(self) -> bool:
        run = self._run
        worker = run.current()
        await run.request(
            worker, run.step_name(worker, f"{worker.name} waits {self.name}"), self.is_set
        )
        return True


class AsyncCondition:
    """An asyncio-style condition on an :class:`AsyncLock`; ``wait`` is a step."""

    def __init__(self, run: TaskRun, name: str, lock: AsyncLock | None = None) -> None:
        self._run = run
        self.name = name
        self.lock = lock if lock is not None else AsyncLock(run, f"{name}.lock")
        self._waiters: list[Worker] = []

    async def __aenter__(self) -> AsyncCondition:
        await self.lock.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.lock.release()

    async def wait(self) -> bool:
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
            name = run.step_name(worker, f"{worker.name} waits {self.name}")
            await run.request(worker, name, ready, take)
        except Aborted:
            if worker in self._waiters:
                self._waiters.remove(worker)
            if self.lock.owner is None:
                self.lock.owner = worker
            raise
        return True

    async def wait_for(self, predicate: Callable[[], Any]) -> Any:
        result = predicate()
        while not result:
            await self.wait()
            result = predicate()
        return result

    def notify(self, n: int = 1) -> None:
        del self._waiters[:n]

    def notify_all(self) -> None:
        self._waiters.clear()


class TaskSteps:
    """What an async scenario receives: ``step``, ``run_tasks``, cooperative primitives,
    ``record``."""

    def __init__(self, run: TaskRun) -> None:
        self._run = run

    def step(self, name: str) -> _AsyncStep:
        """``async with steps.step("a reads"): ...``: a point where another task may run first."""
        return _AsyncStep(self._run, name)

    async def run_tasks(self, fn: Callable[[Any], Awaitable[Any]], *args: Any) -> list[Any]:
        """Run ``await fn(arg)`` in one task per argument; return their results when all have
        finished (the first exception, if one raised)."""
        if not args:
            return []
        return await self._run.run_tasks(fn, args)

    @property
    def worker(self) -> str:
        """The name of the task calling."""
        return self._run.current().name

    def _name(self, name: str | None, kind: str) -> str:
        self._run.primitives += 1
        return name if name is not None else f"{kind}{self._run.primitives}"

    def lock(self, name: str | None = None) -> AsyncLock:
        """An asyncio-style lock whose acquire is a step."""
        return AsyncLock(self._run, self._name(name, "lock"))

    def event(self, name: str | None = None) -> AsyncEvent:
        """An asyncio-style event whose wait is a step."""
        return AsyncEvent(self._run, self._name(name, "event"))

    def condition(self, lock: AsyncLock | None = None, name: str | None = None) -> AsyncCondition:
        """An asyncio-style condition whose wait is a step."""
        return AsyncCondition(self._run, self._name(name, "condition"), lock)

    @contextmanager
    def record(self, name: str, *args: Any) -> Iterator[Call]:
        """Log one operation's call and return (see :meth:`ThreadSteps.record`)."""
        run = self._run
        current = _current.get()
        worker = current.name if current is not None else "main"
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
