"""The alarm: one ``SIGALRM`` timer that raises :class:`HangGuardExpired` in the test's thread
when its phase outlives its bound.

``signal.setitimer`` interrupts the main thread, where pytest runs the test, wherever it waits:
lock acquisitions, ``Event.wait``, ``select`` and ``Future.result`` all return to Python on a
signal on POSIX. The message holds every thread's stack (and the running loop's tasks), so the
failure report carries them. The alarm repeats until the phase ends, so that a ``finally`` or
``with`` block that waits again on the way out is interrupted too. While it is set, the
:mod:`.backstop` is armed a grace period later. Under a debugger the alarm stands
aside (:mod:`.debugger`).

A test that swallows every :class:`HangGuardExpired` (an ``except BaseException`` around a wait,
in a loop) is ended by the backstop, which leaves no time for pytest's own end of session. So
half-way through that grace period the alarm calls :attr:`Alarm.last_resort` once, which the
plugin sets to write the claims report with that test failed: the run still ends with its
report.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from .. import timeouts
from ..pytest_internals import Failed, call_phase_code
from .backstop import backstop
from .debugger import is_debugging
from .stacks import describe_tasks, describe_threads, running_loop

__all__ = [
    "HAS_ALARM",
    "Alarm",
    "HangGuardExpired",
    "Phase",
    "can_alarm_here",
    "expired_phases",
    "guarded",
    "stopped_loops",
    "the_alarm",
]

HAS_ALARM = hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")


class HangGuardExpired(Failed):  # pytest.fail.Exception, named so that mypy sees a class
    """A test phase outlived its hang-guard bound; the message holds every thread's stack."""

    __module__ = "builtins"  # as pytest.fail's: summaries say "HangGuardExpired: ..."


@dataclass
class Phase:
    nodeid: str
    when: str
    bound: float  # seconds, scaled
    deadline: float  # time.monotonic()
    message: str = ""  # set when the bound ran out
    expired: bool = field(default=False)


class Alarm:
    """One ``SIGALRM`` timer for nested phases (pytester runs a session inside a test)."""

    def __init__(self) -> None:
        self.phases: list[Phase] = []
        self.saved_handler: Any = None
        self.backstop = True
        #: Called once, with the expired phase's message, when a test has swallowed the
        #: guard's exceptions and the backstop is about to end the process.
        self.last_resort: Callable[[str], None] | None = None
        self.last_resort_called = False

    def push(self, phase: Phase) -> None:
        if not self.phases:
            self.saved_handler = signal.signal(signal.SIGALRM, self._handle)
        self.phases.append(phase)
        self._program()

    def pop(self, phase: Phase) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if phase in self.phases:
            self.phases.remove(phase)
        if not self.phases:
            # The backstop stays armed for the test's next phase; cancelled at its end.
            signal.signal(signal.SIGALRM, self.saved_handler)
            return
        self._program()

    def suspend(self) -> None:
        """Stop guarding the phases under way (someone is debugging them)."""
        if self.phases:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if self.backstop:
                backstop.cancel()
            self.phases.clear()

    def _program(self) -> None:
        if signal.getsignal(signal.SIGALRM) != self._handle:
            # Someone reset it (pytest-timeout restores SIG_DFL after its own timer, in a
            # nested run): SIGALRM's default action would end the process.
            signal.signal(signal.SIGALRM, self._handle)
        now = time.monotonic()
        due = min(self._next_due(p) for p in self.phases)
        signal.setitimer(signal.ITIMER_REAL, max(due - now, 0.001))
        if self.backstop:
            # A fixed time after the first bound, however often the alarm repeated since (up
            # to that phase's bound later, when an earlier phase's arming still covers it).
            first = min(self.phases, key=lambda p: p.deadline)
            end = first.deadline + _backstop_grace()
            backstop.arm(end, exit=True, headroom=first.bound)

    def test_ended(self) -> None:
        """A test's last phase is over: cancel the backstop, unless an outer test (pytester
        runs a session inside a test) is still in a phase."""
        if not self.phases:
            backstop.cancel()

    def _backstop_is_near(self, now: float) -> bool:
        """Half the backstop's grace has passed since the first bound ran out: the alarm
        repeats at least once a second, and the grace is at least two."""
        first = min(p.deadline for p in self.phases) if self.phases else now
        return self.backstop and now >= first + _backstop_grace() / 2

    def _call_last_resort(self, message: str) -> None:
        if self.last_resort is None or self.last_resort_called:
            return
        self.last_resort_called = True
        with suppress(Exception):  # the backstop still ends the process, report or not
            self.last_resort(message)

    @staticmethod
    def _next_due(phase: Phase) -> float:
        # After the bound ran out, again and again until the phase ends.
        return phase.deadline if not phase.expired else time.monotonic() + _repeat(phase.bound)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        now = time.monotonic()
        due = [p for p in reversed(self.phases) if p.deadline <= now + 0.001]
        if not due:
            self._program()
            return
        if is_debugging():  # a debugger holds the test's thread: its session takes its time
            self.suspend()
            return
        phase = due[0]
        again = phase.expired
        if not again:
            phase.expired = True
            phase.message = _expired_message(phase)
        self._program()
        if again and self._backstop_is_near(now):
            self._call_last_resort(phase.message)
        if not _may_raise(frame):
            return  # between phases, or in the guard's own bookkeeping: at the next alarm
        if again:  # the same message, not chained to the first
            loop = running_loop()
            if loop is not None and not loop.is_closed():
                # The first raise did not end the phase: the loop swallowed it (uvloop runs
                # Python signal handlers inside a callback of its own and only logs what they
                # raise). Stopping the loop makes run_until_complete return to the test's
                # phase with an error of its own; the report gets the stacks as a section.
                stopped_loops.append(phase.message)
                loop.stop()
            raise HangGuardExpired(phase.message, pytrace=False) from None
        raise HangGuardExpired(phase.message, pytrace=False)


class _Guarded:
    """One phase of a test under the alarm (or, without one, under the backstop alone)."""

    def __init__(self, can_alarm: bool, phase: Phase) -> None:
        self.can_alarm = can_alarm
        self.phase = phase
        self.debugged = False

    def __enter__(self) -> None:
        __tracebackhide__ = True
        if is_debugging():  # a debugger drives the test from its start: no bound at all
            self.debugged = True
            return
        remaining = self.phase.deadline - time.monotonic()
        if not self.can_alarm:
            backstop.arm(self.phase.deadline, exit=False)
            return
        if remaining <= 0:  # setup used up the test's bound between phases
            self.phase.expired = True
            raise HangGuardExpired(_expired_message(self.phase), pytrace=False)
        the_alarm.push(self.phase)

    def __exit__(self, *exc: object) -> None:
        if self.debugged:
            return
        if self.can_alarm:
            the_alarm.pop(self.phase)
        else:
            backstop.cancel()
        if self.phase.expired:  # however the phase's failure ends up wrapped (ExceptionGroup)
            expired_phases.add((self.phase.nodeid, self.phase.when))


def guarded(can_alarm: bool, phase: Phase) -> AbstractContextManager[None]:
    """A context manager: ``phase`` runs under the alarm (``can_alarm``) or the backstop."""
    return _Guarded(can_alarm, phase)


_BOOKKEEPING = frozenset(
    f.__code__ for f in (Alarm.push, Alarm.pop, Alarm.suspend, Alarm._program, _Guarded.__exit__)
)
_PHASE_CODE = call_phase_code()


def _may_raise(frame: FrameType | None) -> bool:
    """Whether an exception raised in ``frame`` ends up as the failure of a test phase: it runs
    under pytest's ``CallInfo.from_call`` (which catches it), and not in the guard's own
    bookkeeping (which must finish, or the alarm would outlive the phase)."""
    if _PHASE_CODE is None:
        return True
    while frame is not None:
        if frame.f_code in _BOOKKEEPING:
            return False
        if frame.f_code is _PHASE_CODE:
            return True
        frame = frame.f_back
    return False


def _backstop_grace() -> float:
    """How long after the first bound ran out the backstop ends the process."""
    return max(2.0, timeouts.hang_bound("short"))


def _repeat(bound: float) -> float:
    return min(1.0, max(0.05, bound / 10))


def _expired_message(phase: Phase) -> str:
    loop = running_loop()
    text = (
        f"hang guard: the {phase.when} of {phase.nodeid} ran out its bound of "
        f"{phase.bound:g} s (--hang-guard, --hang-scale, or the hang_guard marker)\n\n"
        "Stacks of every thread, most recent call last (pytest's frames left out):\n\n"
        f"{describe_threads()}"
    )
    if loop is not None:
        text += f"\nTasks of the running event loop:\n\n{describe_tasks(loop)}"
    return text


#: The process's one alarm (a process has one ``SIGALRM`` timer).
the_alarm = Alarm()
#: Messages of phases whose event loop the alarm stopped, for the report's section.
stopped_loops: list[str] = []
#: ``(node id, phase)`` whose bound ran out, for the hang budget.
expired_phases: set[tuple[str, str]] = set()


def can_alarm_here() -> bool:
    """Whether the alarm can guard tests run from this thread (the main thread, with
    ``SIGALRM``)."""
    return HAS_ALARM and threading.current_thread() is threading.main_thread()
