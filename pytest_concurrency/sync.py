"""Synchronisation helpers for specs: wait on observable state, never on the clock.

* :func:`wait_until` polls a condition that has no event of its own (``future.running()``).
* :func:`future_state` names a ``concurrent.futures.Future``'s state from its public methods.
* :func:`assert_blocks` shows that a call does not return while something it waits for is missing.
* :class:`Sequencer` and :class:`AsyncSequencer` force threads or tasks through named steps in a
  declared order, so an interleaving that would need luck (a lost update) happens every time.
* :class:`Gate` holds worker threads until the spec opens it, with every wait bounded: a spec that
  fails before opening it never leaves a worker blocked for good.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

from .timeouts import hang_bound

__all__ = [
    "AsyncSequencer",
    "BlockedCall",
    "BrokenSequencerError",
    "Gate",
    "HangError",
    "Sequencer",
    "assert_blocks",
    "future_state",
    "wait_until",
    "worker_names",
]

T = TypeVar("T")


class HangError(AssertionError):
    """A wait reached its hang bound: what was awaited did not happen."""


def wait_until(
    condition: Callable[[], object], *, timeout: float | None = None, what: str = ""
) -> None:
    """Return as soon as ``condition()`` is true; raise :class:`HangError` after ``timeout``.

    For state that offers nothing to wait on (``future.running()`` turning true). It checks
    often, so it returns within a millisecond or so of the change; the timeout (default: the
    ``short`` hang bound) only decides when to give up.

    >>> wait_until(lambda: True)
    """
    __tracebackhide__ = True
    limit = hang_bound("short") if timeout is None else timeout
    deadline = time.monotonic() + limit
    pause = 0.0001
    while not condition():
        if time.monotonic() > deadline:
            label = what or getattr(condition, "__name__", repr(condition))
            raise HangError(f"condition {label} still false after {limit:.1f} s")
        time.sleep(pause)
        pause = min(pause * 2, 0.01)


class Gate:
    """A one-way gate for worker threads: ``wait()`` blocks until :meth:`open`, within a bound.

    Hand ``gate.wait`` to a pool where a spec would hand ``event.wait``; unlike
    ``Event.wait()``, the worker gives up after a bound (by default the gate's hang-bound
    ``tier``, ``medium``: a worker may be held while the spec does slow things), raising
    :class:`HangError`, so a spec that fails before opening the gate cannot keep the worker,
    and with it the interpreter's exit, waiting for ever::

        gate = Gate("held")
        held = pool.submit(gate.wait, hang_bound("medium"))   # True once opened
        ...
        gate.open()

    Used as a context manager, the gate is opened on leaving the block, whatever happened in
    it. :meth:`open_all` opens every gate still closed (the specs' teardown calls it, before the
    pools are shut down).
    """

    _living: ClassVar[weakref.WeakSet[Gate]] = weakref.WeakSet()
    _living_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, name: str = "gate", *, tier: str = "medium") -> None:
        hang_bound(tier)  # an unknown tier is an error now, not in a worker thread later
        self.name = name
        self.tier = tier
        self._opened = threading.Event()
        with Gate._living_lock:
            Gate._living.add(self)

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"<Gate {self.name!r} {state}>"

    @property
    def is_open(self) -> bool:
        """Whether :meth:`open` has been called."""
        return self._opened.is_set()

    def open(self) -> None:
        """Let every waiter, present and future, through."""
        self._opened.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the gate is open and return ``True``; raise :class:`HangError` if it is
        still closed after ``timeout`` seconds (default: the gate's hang-bound tier)."""
        __tracebackhide__ = True
        limit = hang_bound(self.tier) if timeout is None else timeout
        if not self._opened.wait(limit):
            raise HangError(f"gate {self.name!r} was not opened within {limit:.1f} s")
        return True

    @classmethod
    def open_all(cls) -> int:
        """Open every gate still closed; return how many were. For teardown."""
        with cls._living_lock:
            closed = [gate for gate in cls._living if not gate.is_open]
        for gate in closed:
            gate.open()
        return len(closed)

    def __enter__(self) -> Gate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.open()


def future_state(future: concurrent.futures.Future[Any]) -> str:
    """``"pending"``, ``"running"``, ``"cancelled"`` or ``"finished"``, read through the
    future's public methods only, so a list of states can be asserted whole::

        assert [future_state(f) for f in futures] == ["running", "pending", "pending"]
    """
    if future.cancelled():
        return "cancelled"
    if future.done():
        return "finished"
    return "running" if future.running() else "pending"


class BlockedCall(Generic[T]):
    """A call running in a helper thread, started by :func:`assert_blocks`."""

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        self._result: T | None = None
        self._error: BaseException | None = None
        self._finished = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(fn, args), name="assert_blocks", daemon=True
        )

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        try:
            self._result = fn(*args)
        except BaseException as error:
            self._error = error
        finally:
            self._finished.set()

    @property
    def finished(self) -> bool:
        """Whether the call has returned or raised."""
        return self._finished.is_set()

    def result(self, timeout: float | None = None) -> T:
        """Wait for the call to end (hang bound by default) and return or raise what it did."""
        __tracebackhide__ = True
        limit = hang_bound("short") if timeout is None else timeout
        if not self._finished.wait(limit):
            raise HangError(f"the blocked call did not return within {limit:.1f} s of release")
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]


@contextlib.contextmanager
def assert_blocks(
    fn: Callable[..., T], *args: Any, grace: float = 0.02
) -> Iterator[BlockedCall[T]]:
    """Assert that ``fn(*args)`` does not return until the ``with`` body releases it.

    The call starts in a helper thread. It must still be running ``grace`` seconds later (a
    call that returns early is certainly not blocking; one that does not is blocked or slow,
    and the body's release then shows it was waiting). The default of 20 ms is ample: a call
    that does not block returns within microseconds of its thread running, and the margin
    covers a thread kept waiting for a CPU on a loaded machine. On leaving the block the call
    must finish within the hang bound::

        with assert_blocks(future.result) as call:
            gate.set()                  # what the call waits for
        assert call.result() == 42
    """
    __tracebackhide__ = True
    call: BlockedCall[T] = BlockedCall(fn, args)
    call._thread.start()
    if call._finished.wait(grace):
        call._thread.join()
        outcome = repr(call._error) if call._error is not None else repr(call._result)
        raise AssertionError(f"{_name(fn)} returned at once ({outcome}) instead of blocking")
    try:
        yield call
    except BaseException:
        # The body failed: its error is the report. The call's thread is a daemon, and what
        # it waits on is released by the spec's teardown; waiting for it here would only delay.
        raise
    call._finished.wait(hang_bound("short"))
    if not call.finished:
        raise HangError(f"{_name(fn)} still blocked after the body released it")


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


class BrokenSequencerError(RuntimeError):
    """A step of this sequencer raised: the declared order can no longer happen.

    Every step waiting for its turn, and every step asked for later, raises this error, which
    names the step that failed; the failed step's own exception goes on in its worker, and is
    the one :meth:`Sequencer.run_threads` raises.
    """


class _Steps:
    """The bookkeeping shared by both sequencers: an order of step names and a cursor.

    A step name may come back in a worker (a loop): its second occurrence is ``"name#2"`` in
    the order, as in the schedules :func:`~pytest_concurrency.explore` prints.
    """

    def __init__(self, order: Iterable[str]) -> None:
        self.order = list(order)
        if len(set(self.order)) != len(self.order):
            raise ValueError(f"step names must be unique, got {self.order}")
        if not self.order:
            raise ValueError("a sequencer needs at least one step")
        self.position = 0
        #: The steps in the order they finished: after a run it equals ``order``.
        self.log: list[str] = []
        self.seen: dict[str, int] = {}
        #: The step that raised, once one has: the sequencer is then broken.
        self.broken: str | None = None

    def occurrence(self, name: str) -> str:
        """The declared name of this occurrence of step ``name`` (``"name#2"`` the second
        time); checks it is declared and has not run."""
        count = self.seen.get(name, 0) + 1
        full = name if count == 1 else f"{name}#{count}"
        if full not in self.order:
            if count > 1 and name in self.order:
                raise ValueError(f"step {name!r} has already run")
            raise ValueError(f"unknown step {name!r}; the declared steps are {self.order}")
        if self.order.index(full) < self.position:
            raise ValueError(f"step {full!r} has already run")
        self.seen[name] = count
        return full

    def check_broken(self) -> None:
        if self.broken is not None:
            raise BrokenSequencerError(
                f"the sequencer is broken: step {self.broken!r} raised, so the declared order "
                f"cannot go on (steps finished: {self.log})"
            )

    def is_turn(self, name: str) -> bool:
        return self.broken is not None or (
            self.position < len(self.order) and self.order[self.position] == name
        )

    def advance(self, name: str) -> None:
        self.log.append(name)
        self.position += 1

    def fail(self, name: str) -> None:
        if self.broken is None:
            self.broken = name

    def hang_message(self, name: str, limit: float) -> str:
        waiting_on = self.order[self.position] if self.position < len(self.order) else "(none)"
        return (
            f"step {name!r} waited {limit:.1f} s for its turn; the sequence is stuck at "
            f"{waiting_on!r} after {self.log}"
        )


def _first_error(errors: list[BaseException]) -> BaseException | None:
    """The error to report: the first that is not a consequence of a broken sequencer."""
    original = [e for e in errors if not isinstance(e, BrokenSequencerError)]
    chosen = original or errors
    return chosen[0] if chosen else None


def worker_names(args: Iterable[object]) -> list[str]:
    """The names of the workers ``run_threads(fn, *args)`` starts: each argument's text when
    those are distinct and short (``"a"``, ``"b"``), else ``w0``, ``w1``... The explorer names
    its workers the same way, so the steps of its locks and events match a sequencer's."""
    texts = [str(a) for a in args]
    if len(set(texts)) == len(texts) and all(t and len(t) <= 40 for t in texts):
        return texts
    return [f"w{i}" for i in range(len(texts))]


_worker: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "sequenced_worker", default=None
)


def _worker_name(what: str) -> str:
    name = _worker.get()
    if name is None:
        raise RuntimeError(f"a sequencer's {what} is used by the workers its run_threads starts")
    return name


class _SequencedLock:
    """A lock whose acquire is the step ``"<worker> acquires <name>"``, as in an exploration."""

    def __init__(self, sequencer: Sequencer, name: str) -> None:
        self._sequencer = sequencer
        self.name = name
        self._lock = threading.Lock()

    def acquire(self) -> bool:
        __tracebackhide__ = True
        who = _worker_name("lock")
        with self._sequencer.step(f"{who} acquires {self.name}"):
            limit = self._sequencer._limit()
            if not self._lock.acquire(timeout=limit):
                raise HangError(f"{who} waited {limit:.1f} s for {self.name}")
        return True

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> _SequencedLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _SequencedEvent:
    """An event whose wait is the step ``"<worker> waits <name>"``, as in an exploration."""

    def __init__(self, sequencer: Sequencer, name: str) -> None:
        self._sequencer = sequencer
        self.name = name
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self) -> bool:
        __tracebackhide__ = True
        who = _worker_name("event")
        with self._sequencer.step(f"{who} waits {self.name}"):
            limit = self._sequencer._limit()
            if not self._event.wait(limit):
                raise HangError(f"{who} waited {limit:.1f} s for {self.name}")
        return True


class _SequencedAsyncLock:
    def __init__(self, sequencer: AsyncSequencer, name: str) -> None:
        self._sequencer = sequencer
        self.name = name
        self._lock: asyncio.Lock | None = None

    async def acquire(self) -> bool:
        __tracebackhide__ = True
        who = _worker_name("lock")
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._sequencer.step(f"{who} acquires {self.name}"):
            await asyncio.wait_for(self._lock.acquire(), self._sequencer._limit())
        return True

    def release(self) -> None:
        if self._lock is None:  # never acquired: what asyncio.Lock.release() says then
            raise RuntimeError(f"{self.name} is not acquired")
        self._lock.release()

    def locked(self) -> bool:
        return self._lock is not None and self._lock.locked()

    async def __aenter__(self) -> _SequencedAsyncLock:
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


class _SequencedAsyncEvent:
    def __init__(self, sequencer: AsyncSequencer, name: str) -> None:
        self._sequencer = sequencer
        self.name = name
        self._flag = False
        self._event: asyncio.Event | None = None

    def _made(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
            if self._flag:
                self._event.set()
        return self._event

    def set(self) -> None:
        self._flag = True
        self._made().set()

    def clear(self) -> None:
        self._flag = False
        self._made().clear()

    def is_set(self) -> bool:
        return self._flag

    async def wait(self) -> bool:
        __tracebackhide__ = True
        who = _worker_name("event")
        async with self._sequencer.step(f"{who} waits {self.name}"):
            await asyncio.wait_for(self._made().wait(), self._sequencer._limit())
        return True


class _SequencerBase:
    """What :class:`Sequencer` and :class:`AsyncSequencer` share: the declared order and its
    cursor (:class:`_Steps`), the hang bound of a wait for a turn, the names of the locks and
    events they make, and the read-only views (``log``, ``finished``)."""

    def __init__(self, order: Iterable[str], *, timeout: float | None = None) -> None:
        self._steps = _Steps(order)
        self._timeout = timeout
        self._primitives = 0

    def _limit(self) -> float:
        return hang_bound("short") if self._timeout is None else self._timeout

    def _primitive_name(self, name: str | None, kind: str) -> str:
        self._primitives += 1
        return name if name is not None else f"{kind}{self._primitives}"

    @property
    def log(self) -> list[str]:
        """The steps that have finished, in order."""
        return list(self._steps.log)

    @property
    def finished(self) -> bool:
        """Whether every declared step has run."""
        return self._steps.position == len(self._steps.order)


class Sequencer(_SequencerBase):
    """Run named steps of several threads in one declared order, every time.

    Each ``with seq.step(name):`` block waits until every step before ``name`` in the order
    has finished, runs alone, and then lets the next step go::

        seq = Sequencer(["a reads", "b reads", "a writes", "b writes"])

        def increment(who):
            with seq.step(f"{who} reads"):
                seen = counter["value"]
            with seq.step(f"{who} writes"):
                counter["value"] = seen + 1

    Two threads running ``increment("a")`` and ``increment("b")`` always lose one update.
    ``seq.log`` lists the steps in the order they finished.
    """

    def __init__(self, order: Iterable[str], *, timeout: float | None = None) -> None:
        super().__init__(order, timeout=timeout)
        self._changed = threading.Condition()

    def lock(self, name: str | None = None) -> _SequencedLock:
        """A lock whose acquire is the step ``"<worker> acquires <name>"`` (default names
        ``lock1``, ``lock2``... in order of making, as ``steps.lock()`` in an exploration)."""
        return _SequencedLock(self, self._primitive_name(name, "lock"))

    def event(self, name: str | None = None) -> _SequencedEvent:
        """An event whose wait is the step ``"<worker> waits <name>"``."""
        return _SequencedEvent(self, self._primitive_name(name, "event"))

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Wait for ``name``'s turn, run the block, then pass the turn on."""
        __tracebackhide__ = True
        limit = self._limit()
        steps = self._steps
        with self._changed:
            steps.check_broken()
            full = steps.occurrence(name)
            if not self._changed.wait_for(lambda: steps.is_turn(full), limit):
                raise HangError(steps.hang_message(full, limit))
            steps.check_broken()
        try:
            yield
        except BaseException:
            with self._changed:
                steps.fail(full)
                self._changed.notify_all()
            raise
        with self._changed:
            steps.advance(full)
            self._changed.notify_all()

    def run_threads(self, fn: Callable[[Any], Any], *args: Any) -> list[Any]:
        """Run ``fn(arg)`` in one thread per argument, as ``steps.run_threads`` does in an
        exploration, so a scenario written for :func:`~pytest_concurrency.explore` replays a
        schedule with ``scenario(Sequencer(schedule))``. Returns the results; raises the first
        original exception (not the errors of the steps a failure broke)."""
        __tracebackhide__ = True
        results: list[Any] = [None] * len(args)
        errors: list[BaseException] = []
        names = worker_names(args)

        def work(index: int) -> None:
            _worker.set(names[index])
            try:
                results[index] = fn(args[index])
            except BaseException as error:
                errors.append(error)

        threads = [
            threading.Thread(target=work, args=(i,), name=f"sequenced-{i}", daemon=True)
            for i in range(len(args))
        ]
        for thread in threads:
            thread.start()
        limit = self._limit()
        for thread in threads:
            thread.join(limit * 2)
        if any(thread.is_alive() for thread in threads):
            raise HangError(f"a sequenced thread is still running; steps finished: {self.log}")
        first = _first_error(errors)
        if first is not None:
            raise first
        return results


class AsyncSequencer(_SequencerBase):
    """:class:`Sequencer` for asyncio tasks: ``async with seq.step(name): ...``.

    Waiting for a turn awaits, so the other tasks run meanwhile.
    """

    def __init__(self, order: Iterable[str], *, timeout: float | None = None) -> None:
        super().__init__(order, timeout=timeout)
        self._changed: asyncio.Condition | None = None

    def lock(self, name: str | None = None) -> _SequencedAsyncLock:
        """An asyncio lock whose acquire is the step ``"<worker> acquires <name>"``."""
        return _SequencedAsyncLock(self, self._primitive_name(name, "lock"))

    def event(self, name: str | None = None) -> _SequencedAsyncEvent:
        """An asyncio event whose wait is the step ``"<worker> waits <name>"``."""
        return _SequencedAsyncEvent(self, self._primitive_name(name, "event"))

    @contextlib.asynccontextmanager
    async def step(self, name: str) -> AsyncIterator[None]:
        """Wait for ``name``'s turn, run the block, then pass the turn on."""
        __tracebackhide__ = True
        if self._changed is None:  # made on first use, inside the running loop
            self._changed = asyncio.Condition()
        changed = self._changed
        limit = self._limit()
        steps = self._steps
        async with changed:
            steps.check_broken()
            full = steps.occurrence(name)
            try:
                await asyncio.wait_for(changed.wait_for(lambda: steps.is_turn(full)), limit)
            except asyncio.TimeoutError:
                raise HangError(steps.hang_message(full, limit)) from None
            steps.check_broken()
        try:
            yield
        except BaseException:
            async with changed:
                steps.fail(full)
                changed.notify_all()
            raise
        async with changed:
            steps.advance(full)
            changed.notify_all()

    async def run_tasks(self, fn: Callable[[Any], Awaitable[Any]], *args: Any) -> list[Any]:
        """Run ``await fn(arg)`` in one task per argument (see :meth:`Sequencer.run_threads`)."""
        __tracebackhide__ = True
        names = worker_names(args)

        async def work(index: int) -> Any:
            _worker.set(names[index])
            return await fn(args[index])

        outcomes = await asyncio.gather(
            *(work(i) for i in range(len(args))), return_exceptions=True
        )
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        first = _first_error(errors)
        if first is not None:
            raise first
        return list(outcomes)
