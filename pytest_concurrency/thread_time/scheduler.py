"""The bubble: one virtual clock, the threads that read it, and the rule that moves it.

A :class:`Bubble` knows each of its member threads and whether it is *running* (doing anything
at all, including a real blocking call the bubble cannot see) or *blocked* in a controlled wait
(a wait on a primitive made in the bubble, or a virtual sleep), with an optional deadline. The
clock moves in three ways:

* **It jumps** when no member is running and no outside work it waits for is pending (a *hold*:
  executor work submitted from the bubble, a thread being started): straight to the earliest
  deadline, and the waiters of that deadline wake with a timeout. With no deadline at all, that
  is a deadlock: the test's own thread wakes with :class:`BubbleDeadlock`, whose message holds
  every member's stack (the other threads get it when the bubble ends).
* **It flows** at the real rate while a member is in a real wait it knows of (a wait on a
  primitive made outside the bubble, the loop waiting on real I/O), while outside work holds it,
  and while a deadline is pending and some member runs: so real work holds the clock, and a
  timeout around real work lasts at least as long in real time as it says.
* **It stands still** otherwise: running code costs no virtual time (as on the virtual loop), so
  a thread that sleeps 3600 s while the others wait without a deadline sees
  ``time.monotonic()`` move by exactly 3600.

Flowed time is rounded up to a multiple of 2**-20 s, so that a clock that stood still reads
values that are exact sums of the durations waited.

Every state change happens under one lock of the original ``_thread`` type (:data:`STATE`);
waiters block on their own original lock (a *gate*), so nothing here depends on what is patched.
"""

from __future__ import annotations

import math
import sys
import traceback
from collections.abc import Callable
from typing import Any

from . import _originals as real

__all__ = ["STATE", "Bubble", "BubbleDeadlock", "Member", "Waiter"]

#: The one lock guarding every bubble's state and every bubble primitive's waiter list.
STATE = real.allocate_lock()
_QUANTUM = 2.0**-20


def _quantize(seconds: float) -> float:
    return math.ceil(seconds / _QUANTUM) * _QUANTUM


_RUNNER_FILES = (
    "/_pytest/",
    "/pluggy/",
    "<frozen runpy>",
    "/pytest/__main__.py",
    "/pytest_concurrency/thread_time/",
)


def _own_frames(frame: Any) -> traceback.StackSummary:
    """The frames of a stack that are not pytest's own machinery (the test's and below)."""
    frames = traceback.extract_stack(frame)
    kept = [f for f in frames if not any(part in f.filename for part in _RUNNER_FILES)]
    return traceback.StackSummary.from_list(kept)


class BubbleDeadlock(RuntimeError):
    """Every thread of the bubble waits on the bubble and no deadline is pending: nothing can
    ever wake them. The message holds every member thread's stack."""


class Hold:
    """Outside work the clock waits for (see :meth:`Bubble.hold`)."""

    __slots__ = ("executor",)

    def __init__(self, executor: object) -> None:
        self.executor = executor


class Member:
    """A thread of the bubble (a *guest* when it runs one call of work submitted from the
    bubble to a pool made outside it: ``executor`` is that pool)."""

    __slots__ = ("bubble", "executor", "finished", "ident", "joiners", "name", "waiter")

    def __init__(self, bubble: Bubble, name: str, executor: object = None) -> None:
        self.bubble = bubble
        self.executor = executor
        self.name = name
        self.ident: int | None = None
        self.waiter: Waiter | None = None  # the controlled wait it is blocked in, if any
        self.finished = False
        self.joiners: list[Waiter] = []


class Waiter:
    """One controlled wait of one member: woken by a notifier, by the clock, or by the end."""

    __slots__ = ("bubble", "deadline", "done", "error", "gate", "member", "timed_out", "wake")

    def __init__(
        self,
        bubble: Bubble,
        member: Member,
        deadline: float | None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.bubble = bubble
        self.member = member
        self.deadline = deadline
        self.done = False
        self.timed_out = False
        self.error: str | None = None
        self.gate = real.allocate_lock()
        self.gate.acquire()
        self.wake = wake if wake is not None else self.gate.release


class Bubble:
    """A virtual clock shared by a set of threads (see the module docstring)."""

    def __init__(self) -> None:
        self.active = False
        self.pid = real.getpid()  # a forked child is outside the bubble
        # (virtual seconds at the last rebase, real monotonic time it started flowing or None)
        self._base: tuple[float, float | None] = (0.0, None)
        self._members: list[Member] = []
        self._waiters: list[Waiter] = []
        self._running = 0  # members not in a controlled wait
        self._timed = 0  # controlled waits with a deadline
        self._real = 0  # members inside a real wait the bubble knows of
        self._holds: set[Hold] = set()  # outside work the bubble waits for
        self._guests: dict[int, int] = {}  # id(executor) -> its workers now running as guests
        self.deadlocks = 0
        self.deadlock: str | None = None  # the last deadlock's report
        self.loops: list[Any] = []  # the VirtualTimeEventLoops joined to it (thread_time.loop)
        # Bases of the patched clocks. time.monotonic() and time.perf_counter() start at 0.0,
        # as the virtual loop's clock does, so that differences are exact sums of the waits;
        # time.time() goes on from the real wall clock.
        self.monotonic_base = 0.0
        self.perf_counter_base = 0.0
        self.wall_base = real.wall_time()

    # --- the clock ----------------------------------------------------------------------------

    def now(self) -> float:
        """Virtual seconds since the bubble began (safe to call without :data:`STATE`)."""
        virtual, since = self._base
        if since is None:
            return virtual
        return virtual + _quantize(real.monotonic() - since)

    def _flows(self) -> bool:
        if not self.active:
            return True
        if self._real or self._held():
            return True
        return self._running >= 1 and self._timed >= 1

    def _rebase(self) -> None:
        virtual, since = self._base
        flows = self._flows()
        if flows and since is None:
            self._base = (virtual, real.monotonic())
        elif not flows and since is not None:
            self._base = (self.now(), None)

    def _update(self) -> None:
        """Called under STATE after any change: rebase the clock, and jump when all wait."""
        self._rebase()
        if self.active and self._running == 0 and self._waiters and not self._held():
            self._all_blocked()
            self._rebase()

    def _all_blocked(self) -> None:
        deadlines = [w.deadline for w in self._waiters if w.deadline is not None]
        if deadlines:
            target = min(deadlines)
            self._base = (max(self._base[0], target), None)
            for waiter in [w for w in self._waiters if w.deadline is not None]:
                if waiter.deadline <= self._base[0]:  # type: ignore[operator]
                    self.finish(waiter, timed_out=True)
            return
        self.deadlocks += 1
        self.deadlock = self.describe(
            "deadlock in the thread-time bubble: every thread waits on something only the "
            "bubble could signal, and no deadline is pending"
        )
        # The error goes to the test's own thread, so that the test fails at once with it; the
        # other threads stay blocked until the bubble ends, then get it too and unwind.
        starter = self._members[0].waiter if self._members else None
        for waiter in [starter] if starter is not None else list(self._waiters):
            self.finish(waiter, error=self.deadlock)

    def describe(self, headline: str) -> str:
        """``headline`` and every member thread's stack (what a deadlock report shows)."""
        frames = sys._current_frames()
        parts = [headline]
        for member in self._members:
            frame = frames.get(member.ident) if member.ident is not None else None
            state = "running"
            if member.waiter is not None:
                deadline = member.waiter.deadline
                state = "waiting" + ("" if deadline is None else f" until {deadline:g} s")
            stack = "".join(traceback.format_list(_own_frames(frame))) if frame else ""
            parts.append(f"--- thread {member.name!r} ({state}):\n{stack.rstrip()}")
        return "\n".join(parts)

    # --- members ------------------------------------------------------------------------------

    def add_member(self, name: str, ident: int | None = None, executor: object = None) -> Member:
        """A new running member (a thread about to start, the one that starts the bubble, or a
        guest worker of ``executor``)."""
        member = Member(self, name, executor)
        member.ident = ident
        with STATE:
            self._members.append(member)
            self._running += 1
            if executor is not None:
                self._guests[id(executor)] = self._guests.get(id(executor), 0) + 1
            self._update()
        return member

    def member_finished(self, member: Member) -> None:
        with STATE:
            if member.finished:
                return
            member.finished = True
            if member.executor is not None:
                self._guests[id(member.executor)] -= 1
            if member in self._members:
                self._members.remove(member)
            if member.waiter is not None:  # an exception left a wait half done
                self.abandon(member.waiter)
            self._running -= 1
            for waiter in member.joiners:
                self.finish(waiter)
            member.joiners.clear()
            self._update()

    # --- holds and real waits -----------------------------------------------------------------

    def hold(self, executor: object = None) -> Hold:
        """Hold the clock for outside work (a thread being started, work submitted to a pool)
        until :meth:`release_hold`. A hold for work queued on ``executor`` does not count while
        a worker of that executor runs as a guest of the bubble: the work has not started, and
        a member will start it."""
        hold = Hold(executor)
        with STATE:
            self._holds.add(hold)
            self._update()
        return hold

    def release_hold(self, hold: Hold) -> None:
        with STATE:
            if hold in self._holds:
                self._holds.remove(hold)
                self._update()

    def _held(self) -> bool:
        return any(h.executor is None or not self._guests.get(id(h.executor)) for h in self._holds)

    def enter_real_wait(self) -> None:
        with STATE:
            self._real += 1
            self._update()

    def leave_real_wait(self) -> None:
        with STATE:
            self._real -= 1
            self._update()

    # --- controlled waits (all under STATE) ---------------------------------------------------

    def block(
        self, member: Member, deadline: float | None, wake: Callable[[], None] | None = None
    ) -> Waiter:
        """Register ``member`` as blocked until ``deadline`` (virtual seconds) or a wake-up.
        Under STATE; the caller then releases STATE and calls :meth:`wait`. A deadline already
        reached gives a waiter that is done (timed out) at once."""
        waiter = Waiter(self, member, deadline, wake)
        if deadline is not None and deadline <= self.now():
            waiter.done = waiter.timed_out = True
            return waiter
        self._waiters.append(waiter)
        member.waiter = waiter
        member.ident = real.get_ident() if member.ident is None else member.ident
        self._running -= 1
        if deadline is not None:
            self._timed += 1
        self._update()
        return waiter

    def finish(self, waiter: Waiter, *, timed_out: bool = False, error: str | None = None) -> None:
        """Wake ``waiter`` (under STATE): notified, timed out, or with a deadlock error."""
        if waiter.done:
            return
        waiter.done, waiter.timed_out, waiter.error = True, timed_out, error
        self._unregister(waiter)
        waiter.wake()

    def abandon(self, waiter: Waiter) -> None:
        """Forget a wait its thread left without being woken (an exception, a real wake-up)."""
        if not waiter.done:
            waiter.done = True
            self._unregister(waiter)
            self._update()

    def _unregister(self, waiter: Waiter) -> None:
        if waiter in self._waiters:
            self._waiters.remove(waiter)
            waiter.member.waiter = None
            self._running += 1
            if waiter.deadline is not None:
                self._timed -= 1

    def wait(self, waiter: Waiter) -> None:
        """Block (without STATE) until ``waiter`` is done; reacquires nothing. Returns early
        only when the wait ran out in real time (the clock flowed to its deadline)."""
        try:
            while not waiter.done:
                if waiter.deadline is None:
                    waiter.gate.acquire()
                    continue
                remaining = waiter.deadline - self.now()
                if waiter.gate.acquire(True, max(remaining, 0.0)):
                    continue
                with STATE:
                    if not waiter.done and self.now() >= waiter.deadline - 1e-9:
                        if self._base[1] is not None:  # land on the deadline, never before it
                            self._base = (max(self.now(), waiter.deadline), real.monotonic())
                        self.finish(waiter, timed_out=True)
                        self._update()
        except BaseException:
            with STATE:
                self.abandon(waiter)
            raise

    # --- the bubble's life --------------------------------------------------------------------

    def start(self) -> None:
        with STATE:
            self.active = True
            self._base = (0.0, None)
            self._update()

    def stop(self) -> None:
        """End the bubble: its clock flows at the real rate from here on, and every thread
        still waiting in it is woken to go on waiting in real time; after a deadlock, they get
        :class:`BubbleDeadlock` instead, and unwind."""
        with STATE:
            now = self.now()
            self.active = False
            self._base = (now, real.monotonic())
            for waiter in list(self._waiters):
                self.finish(waiter, error=self.deadlock)

    def snapshot(self) -> dict[str, Any]:
        """Counts for tests and error messages."""
        return {
            "members": len(self._members),
            "running": self._running,
            "waiting": len(self._waiters),
            "holds": len(self._holds),
            "real_waits": self._real,
            "now": self.now(),
        }
