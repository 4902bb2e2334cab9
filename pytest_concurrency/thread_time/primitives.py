"""What a bubble thread gets instead of ``time``'s clocks and ``threading``'s blocking.

Only one blocking primitive is new: :class:`BubbleLock`, a lock whose blocking acquire is a
controlled wait of the bubble it was made in. ``threading.Condition``, ``Event``,
``Semaphore``, ``Barrier``, ``Timer`` and ``queue.Queue`` are CPython's own classes: they block
in ``Condition.wait``, which blocks on a fresh waiter lock from ``threading._allocate_lock``, and
compute deadlines with ``threading._time`` / ``queue.time``; made in the bubble they get bubble
locks, the bubble's :class:`Condition` and its clock, and so wait in virtual time. A
``Condition`` made outside the bubble gets a :class:`RealWaitLock` waiter: its wait is real, and
the bubble's clock flows while it lasts.

Every function here answers a thread outside the bubble, and the plugin's own code (the hang
guard, fixtures, the ``sync`` helpers: modules of ``pytest_concurrency`` outside this package,
and pytest's), with the original.
"""

from __future__ import annotations

import math
import sys
import threading
import weakref
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

from ..cpython_internals import work_queue_of
from . import _originals as real
from .scheduler import STATE, Bubble, BubbleDeadlock, Member, Waiter

T = TypeVar("T")

#: Thread-local state: ``member`` (this thread's Member, if any) and ``condition_bubble`` (the
#: bubble whose Condition.wait is allocating its waiter lock in this thread).
local = real.thread_local()

# Modules whose frames are skipped when asking who called: the library between the caller and us.
_PASS_THROUGH = ("threading", "queue", "concurrent", "asyncio", "selectors", "contextlib")
# This package, and the virtual loop (its run_in_executor makes and feeds the default executor).
_OWN = ("pytest_concurrency.thread_time", "pytest_concurrency.clock")
_OUTSIDE = ("pytest_concurrency", "_pytest", "pluggy")
_USER = ("pytest_concurrency.spec_support",)  # work functions: the test's code


def _caller_is_plugin(frame: FrameType | None) -> bool:
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.startswith(_OWN) or name.split(".")[0] in _PASS_THROUGH:
            frame = frame.f_back
            continue
        return bool(name.startswith(_OUTSIDE)) and not name.startswith(_USER)
    return False


def member_here() -> Member | None:
    """This thread's membership of an active bubble, or ``None``."""
    member: Member | None = getattr(local, "member", None)
    if member is None or not member.bubble.active or member.bubble.pid != real.getpid():
        return None  # (a forked child's copy of a member is outside: threading's own
        # after-fork code, which makes new locks, runs before any at-fork hook could say so)
    return member


def controlled_member(depth: int = 2) -> Member | None:
    """:func:`member_here`, unless the caller is the plugin's own code (it runs on real time)."""
    member = member_here()
    if member is None or _caller_is_plugin(sys._getframe(depth)):
        return None
    return member


# Modules that time real waits on the operating system (an event loop that has not joined the
# bubble, multiprocessing's and subprocess's waits on children, selectors, sockets): called from
# them, a clock reads the real time and a sleep really sleeps.
_REAL_CLOCK = ("asyncio", "multiprocessing", "selectors", "subprocess", "socket", "ssl")


def clock_member() -> Member | None:
    """:func:`controlled_member` for a clock or a sleep, which answers the modules of
    ``_REAL_CLOCK`` with the real thing: a loop that has not joined the bubble (any loop but a
    joined virtual one, whose ``time()`` reads the bubble directly) waits on the real clock, as
    do multiprocessing's waits for a child."""
    caller = sys._getframe(2)
    if caller.f_globals.get("__name__", "").split(".")[0] in _REAL_CLOCK:
        return None
    return controlled_member(3)


def real_wait(call: Callable[[], T]) -> T:
    """Run a real blocking ``call``; a bubble member's clock flows meanwhile."""
    member = member_here()
    if member is None:
        return call()
    bubble = member.bubble
    bubble.enter_real_wait()
    try:
        return call()
    finally:
        bubble.leave_real_wait()


def _raise_if_deadlocked(waiter: Waiter) -> None:
    if waiter.error is not None:
        raise BubbleDeadlock(waiter.error)


# --- locks ----------------------------------------------------------------------------------


class BubbleLock:
    """A lock made in a bubble: a blocking acquire by a member is a controlled wait."""

    __slots__ = ("__weakref__", "_bubble", "_real", "_waiters")

    def __init__(self, bubble: Bubble) -> None:
        self._real = real.allocate_lock()
        self._bubble = bubble
        self._waiters: list[Waiter] = []

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not blocking or (timeout != -1 and timeout < 0):
            return self._real.acquire(blocking, timeout)  # the original checks and errors
        if self._real.acquire(False):
            return True
        member = member_here()
        if member is None or member.bubble is not self._bubble:
            return real_wait(lambda: self._real.acquire(True, timeout))
        return self._acquire_in(member, None if timeout == -1 else timeout)

    def _acquire_in(self, member: Member, timeout: float | None) -> bool:
        bubble = member.bubble
        with STATE:
            deadline = None if timeout is None else bubble.now() + timeout
            while bubble.active:
                if self._real.acquire(False):
                    return True
                waiter = bubble.block(member, deadline)
                if waiter.done:
                    _raise_if_deadlocked(waiter)
                    return False
                self._waiters.append(waiter)
                STATE.release()
                try:
                    bubble.wait(waiter)
                finally:
                    STATE.acquire()
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)
                _raise_if_deadlocked(waiter)
                if waiter.timed_out:
                    return self._real.acquire(False)
        # The bubble ended while this thread waited: wait out the rest in real time.
        if deadline is None:
            return self._real.acquire()
        return self._real.acquire(True, max(deadline - bubble.now(), 0.0))

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        with STATE:
            self._real.release()
            while self._waiters:
                waiter = self._waiters.pop(0)
                if not waiter.done:
                    waiter.bubble.finish(waiter)
                    waiter.bubble._update()
                    break

    def locked(self) -> bool:
        return self._real.locked()

    def _at_fork_reinit(self) -> None:
        self._real = real.allocate_lock()
        self._waiters = []

    def __repr__(self) -> str:
        state = "locked" if self.locked() else "unlocked"
        return f"<{state} {type(self).__name__} object at {id(self):#x}>"


class RealWaitLock:
    """An original lock for a member's wait on something made outside the bubble: the wait is
    real (nothing in the bubble can be sure to signal it), and the clock flows meanwhile."""

    __slots__ = ("__weakref__", "_real")

    def __init__(self) -> None:
        self._real = real.allocate_lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not blocking or (timeout != -1 and timeout < 0):
            return self._real.acquire(blocking, timeout)  # the original checks and errors
        if self._real.acquire(False):
            return True
        return real_wait(lambda: self._real.acquire(True, timeout))

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self._real.release()

    def release(self) -> None:
        self._real.release()

    def locked(self) -> bool:
        return self._real.locked()

    def _at_fork_reinit(self) -> None:
        self._real = real.allocate_lock()


class _StandIn(type):
    """The metaclass of what stands for a standard class while a bubble is on: calling it makes
    the right object for the caller, and ``isinstance``/``issubclass`` answer as for the classes
    it stands for (``_for``), so that code checking for a ``threading.Lock`` still works."""

    def __instancecheck__(cls, instance: object) -> bool:
        stands_for = cls.__dict__.get("_for")
        if stands_for is None:  # a subclass made while the bubble was on: an ordinary class
            return type.__instancecheck__(cls, instance)
        return isinstance(instance, stands_for)

    def __subclasscheck__(cls, subclass: type) -> bool:
        stands_for = cls.__dict__.get("_for")
        if stands_for is None:
            return type.__subclasscheck__(cls, subclass)
        return issubclass(subclass, stands_for)


class Lock(metaclass=_StandIn):
    """Stands for ``threading.Lock``: a :class:`BubbleLock` in the bubble, else the original."""

    _for = (type(real.allocate_lock()), BubbleLock)

    def __new__(cls) -> Any:
        member = controlled_member()
        return real.Lock() if member is None else BubbleLock(member.bubble)


def allocate_lock() -> Any:
    """``threading._allocate_lock``: the waiter lock of a Condition.wait, among others."""
    bubble: Bubble | None = getattr(local, "condition_bubble", None)
    local.condition_bubble = None
    member = member_here()
    if member is None:
        return real.allocate_lock()
    if bubble is member.bubble:
        return BubbleLock(bubble)
    return RealWaitLock()


class BubbleRLock(real.PyRLock):  # type: ignore[misc]
    """threading's pure-Python RLock on a :class:`BubbleLock`."""

    def __init__(self, bubble: Bubble) -> None:
        super().__init__()
        self._block = BubbleLock(bubble)


class RLock(metaclass=_StandIn):
    """Stands for ``threading.RLock``: a :class:`BubbleRLock` in the bubble, else the original."""

    _for = (type(real.RLock()), real.PyRLock)

    def __new__(cls) -> Any:
        member = controlled_member()
        return real.RLock() if member is None else BubbleRLock(member.bubble)


class Condition(real.Condition, metaclass=_StandIn):
    """``threading.Condition`` made in a bubble: its waits are controlled waits."""

    _for = (real.Condition,)

    def __init__(self, lock: Any = None) -> None:
        member = controlled_member()
        self._bubble = None if member is None else member.bubble
        if lock is None:
            lock = real.RLock() if self._bubble is None else BubbleRLock(self._bubble)
        super().__init__(lock)

    def wait(self, timeout: float | None = None) -> bool:
        local.condition_bubble = self._bubble
        try:
            return bool(super().wait(timeout))
        finally:
            local.condition_bubble = None


# --- threads --------------------------------------------------------------------------------


def _outside_bubble_by_nature(thread: threading.Thread, bubble: Bubble) -> bool:
    """Threads of process pools and multiprocessing, and workers of thread pools made before
    the bubble (their work queue is not the bubble's): outside work, held by submission."""
    if type(thread).__module__.startswith(("concurrent.futures.process", "multiprocessing")):
        return True
    target = getattr(thread, "_target", None)
    module = getattr(target, "__module__", "") or ""
    if module.startswith("multiprocessing"):
        return True
    if module == "concurrent.futures.thread" and getattr(target, "__name__", "") == "_worker":
        # Its arguments hold a weak reference to the executor and the work queue (in an order
        # that changed in 3.14): a member if the queue is one the bubble made.
        args: tuple[Any, ...] = getattr(thread, "_args", ())
        for arg in args:
            found = arg() if isinstance(arg, weakref.ref) else arg
            work_queue = work_queue_of(found) or found
            if getattr(work_queue, "_pc_bubble", None) is bubble:
                return False
        return True
    return False


def thread_start(self: threading.Thread) -> None:
    member = controlled_member()
    if member is None:
        return real.thread_start(self)
    bubble = member.bubble
    if _outside_bubble_by_nature(self, bubble):
        hold = bubble.hold()  # until it has started: it may be what the starter's wait needs
        try:
            return real.thread_start(self)
        finally:
            bubble.release_hold(hold)
    new = bubble.add_member(self.name)
    self._pc_member = new  # type: ignore[attr-defined]
    original_run = self.run

    def run_in_bubble() -> None:
        self.__dict__.pop("run", None)
        new.ident = real.get_ident()
        local.member = new
        try:
            original_run()
        finally:
            local.member = None
            bubble.member_finished(new)

    self.run = run_in_bubble  # type: ignore[method-assign]
    try:
        real.thread_start(self)
    except BaseException:
        self.__dict__.pop("run", None)
        bubble.member_finished(new)
        raise


def thread_join(self: threading.Thread, timeout: float | None = None) -> None:
    member = controlled_member()
    target: Member | None = getattr(self, "_pc_member", None)
    if member is None or target is None or target.bubble is not member.bubble:
        if member_here() is not None:
            return real_wait(lambda: real.thread_join(self, timeout))
        return real.thread_join(self, timeout)
    real.thread_join(self, 0)  # the original's checks (not started, the current thread)
    bubble = member.bubble
    with STATE:
        deadline = None if timeout is None else bubble.now() + max(timeout, 0.0)
        if not target.finished and bubble.active:
            waiter = bubble.block(member, deadline)
            _raise_if_deadlocked(waiter)
            if not waiter.done:
                target.joiners.append(waiter)
                STATE.release()
                try:
                    bubble.wait(waiter)
                finally:
                    STATE.acquire()
                    if waiter in target.joiners:
                        target.joiners.remove(waiter)
                _raise_if_deadlocked(waiter)
        finished = target.finished
    if finished:  # run() has returned: the thread's own exit follows at once, costing no time
        real.thread_join(self)
    elif not member.bubble.active:
        remaining = None if deadline is None else max(deadline - bubble.now(), 0.0)
        real.thread_join(self, remaining)


# --- time -----------------------------------------------------------------------------------


def sleep(seconds: float) -> None:
    member = clock_member()
    if member is None or not isinstance(seconds, (int, float)) or not 0 < seconds < math.inf:
        return real.sleep(seconds)
    bubble = member.bubble
    with STATE:
        deadline = bubble.now() + seconds
        while bubble.active and bubble.now() < deadline:
            waiter = bubble.block(member, deadline)
            _raise_if_deadlocked(waiter)
            if waiter.done:
                break
            STATE.release()
            try:
                bubble.wait(waiter)
            finally:
                STATE.acquire()
            _raise_if_deadlocked(waiter)
    remaining = deadline - bubble.now()
    if remaining > 0:  # the bubble ended meanwhile
        real.sleep(remaining)


def _clock(original: Callable[[], float], base: str) -> Callable[[], float]:
    def clock() -> float:
        member = clock_member()
        if member is None:
            return original()
        bubble = member.bubble
        return float(getattr(bubble, base) + bubble.now())

    clock.__name__ = clock.__qualname__ = original.__name__
    clock.__doc__ = original.__doc__
    return clock


def _clock_ns(original: Callable[[], int], base: str) -> Callable[[], int]:
    def clock_ns() -> int:
        member = clock_member()
        if member is None:
            return original()
        bubble = member.bubble
        return round(float(getattr(bubble, base) + bubble.now()) * 1e9)

    clock_ns.__name__ = clock_ns.__qualname__ = original.__name__
    clock_ns.__doc__ = original.__doc__
    return clock_ns


monotonic = _clock(real.monotonic, "monotonic_base")
perf_counter = _clock(real.perf_counter, "perf_counter_base")
wall_time = _clock(real.wall_time, "wall_base")
monotonic_ns = _clock_ns(real.monotonic_ns, "monotonic_base")
perf_counter_ns = _clock_ns(real.perf_counter_ns, "perf_counter_base")
wall_time_ns = _clock_ns(real.wall_time_ns, "wall_base")


# --- queues ---------------------------------------------------------------------------------


class SimpleQueue(metaclass=_StandIn):
    """Stands for ``queue.SimpleQueue``: in the bubble, the pure-Python one (it blocks on a
    Semaphore, so in virtual time), else the original."""

    _for = (real.SimpleQueue, real.PySimpleQueue)

    def __new__(cls) -> Any:
        member = controlled_member()
        if member is None:
            return real.SimpleQueue()
        made = real.PySimpleQueue()
        made._pc_bubble = member.bubble
        return made
