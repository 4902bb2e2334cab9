"""The hang guard, a bounded process exit, and reports that survive a failure pytest cannot format.

**Hang guard.** Each test phase runs under a bound: setup and call share one (``--hang-guard``,
a tier of :data:`~pytest_concurrency.timeouts.TIERS` or seconds, times ``--hang-scale``), and
teardown has one of its own, so that a test that ran out still gets its fixtures torn down.
When the bound runs out, ``SIGALRM`` (``signal.setitimer``) interrupts the main thread, where
pytest runs the test, wherever it waits: lock acquisitions, ``Event.wait``, ``select`` and
``Future.result`` all return to Python on a signal on POSIX. The handler raises
:class:`HangGuardExpired`, a ``pytest.fail`` exception whose message holds the stack of every
thread and, when an event loop is running, of its tasks; so the failure report carries them,
which matters under pytest-xdist, where a worker's terminal output is lost. The run goes on
with the next test. The alarm repeats until the phase ends, so that a ``finally`` or ``with``
block that waits again on the way out (``ThreadPoolExecutor.__exit__`` joining a stuck worker)
is interrupted too.

A backstop, ``faulthandler.dump_traceback_later(exit=True)``, ends the process a grace period
after the bound if the main thread never returns to Python (a C call that ignores signals):
faulthandler's watchdog is a C thread that needs no GIL, so it works when nothing else can.
Without ``SIGALRM`` (Windows) or off the main thread, the guard only dumps the stacks to stderr
when the bound runs out (``dump_traceback_later`` without exit), and says so in the header.

Why not pytest-timeout: its ``thread`` method ends the whole run with ``os._exit(1)``; its
``signal`` method writes the stacks to the terminal (lost in xdist workers) and fails the test
with a bare "Timeout" message. Where a pytest-timeout timeout applies to a test (its marker,
``--timeout``, ``PYTEST_TIMEOUT`` or the ``timeout`` ini value, above 0), the hang guard steps
aside for that test, so the two never compete for ``SIGALRM``.

**Bounded exit.** After the outermost session ends, a daemon watchdog waits for the interpreter
to start shutting down; if shutdown (joining non-daemon threads such as a
``ThreadPoolExecutor`` worker blocked on an ``Event``, then ``atexit``) lasts longer than
:data:`EXIT_BOUND`, it writes which threads are left, with their stacks, to stderr and ends the
process with the session's exit status.

**Hang budget.** A test that fails on a bound that ran out (this guard's alarm, a
:class:`~pytest_concurrency.HangError`, a ``TimeoutError``, or any failure that took at least the
``short`` bound) spends one unit of the run's budget (``--hang-budget``, see
:mod:`~pytest_concurrency.timeouts`), and this guard's own alarm spends all of it; once it is
spent, every later bound, this guard's and the teardown's included, shrinks. The terminal
summary and the claims report's run status (``hang_budget``) say from which test on, and why.

**Reports that survive.** When making a test's report raises (a ``__repr__`` that raises, a
``RecursionError``, a ``SystemError`` from the AST module while pytest formats a traceback),
the test gets a failed report with a plain description made by the ``traceback`` module.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import faulthandler
import functools
import math
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any

import pytest
from _pytest.outcomes import Failed

from . import timeouts

__all__ = [
    "EXIT_BOUND",
    "OFF",
    "HangGuardExpired",
    "HangGuardPlugin",
    "describe_threads",
    "fallback_report",
    "parse_bound",
    "parse_budget",
    "run_status",
]

#: The value that switches the guard off (option, ini value or marker).
OFF = "off"
#: User properties of a failed report: a bound ran out in it; it spent the run's hang budget.
EXPIRED_PROPERTY = "concurrency_hang_expired"
SPENT_PROPERTY = "concurrency_hang_budget_spent"
#: Seconds the interpreter may spend shutting down after the last test (times --hang-scale).
EXIT_BOUND = 10.0
_ACCEPTED = f"a tier ({', '.join(timeouts.TIERS)}), a number of seconds such as 30, or {OFF}"
_HAS_ALARM = hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")
_FALLBACK_FRAMES = 15  # frames of a traceback pytest could not format, innermost last
_sessions = 0  # configured sessions in this process: pytester inline runs nest in the outer one


class HangGuardExpired(Failed):  # pytest.fail.Exception, named so that mypy sees a class
    """A test phase outlived its hang-guard bound; the message holds every thread's stack."""

    __module__ = "builtins"  # as pytest.fail's: summaries say "HangGuardExpired: ..."


def parse_bound(value: object, where: str) -> float | None:
    """The guard's base bound in seconds for ``value`` (a tier name, seconds, or ``off``):
    ``None`` for off. A :class:`ValueError` names ``where`` the value came from and what is
    accepted."""
    if isinstance(value, str):
        text = value.strip()
        if text == OFF:
            return None
        if text in timeouts.TIERS:
            return timeouts.TIERS[text]
    else:
        text = value  # type: ignore[assignment]
    try:
        seconds = float(text) if not isinstance(text, bool) else math.nan
    except (TypeError, ValueError):
        seconds = math.nan
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ValueError(f"{where}: unknown hang guard {value!r}; accepted: {_ACCEPTED}")
    return seconds


def parse_budget(value: object, where: str) -> int | None:
    """The hang budget for ``value``: a whole number of expired bounds (0 shrinks every bound
    from the first), or ``off`` (``None``: bounds never shrink)."""
    text = str(value).strip()
    if text == OFF:
        return None
    try:
        limit = int(text)
    except ValueError:
        limit = -1
    if limit < 0:
        raise ValueError(
            f"{where}: unknown hang budget {value!r}; accepted: a whole number of expired "
            f"bounds such as 3, or {OFF}"
        )
    return limit


def marker_bound(marks: Iterable[pytest.Mark]) -> tuple[bool, float | None]:
    """``(marked, base bound)`` from the closest ``hang_guard`` marker among ``marks``."""
    for mark in marks:
        if mark.name == "hang_guard":
            if len(mark.args) != 1 or mark.kwargs:
                raise ValueError(f"hang_guard() takes one argument: {_ACCEPTED}")
            return True, parse_bound(mark.args[0], "hang_guard() marker")
    return False, None


# -- describing what every thread and task is doing ------------------------------------------


def _plumbing() -> tuple[str, ...]:
    import _pytest
    import pluggy

    dirs = (os.path.dirname(m.__file__ or "") for m in (_pytest, pluggy, pytest))
    return (*(os.path.join(d, "") for d in dirs), __file__, "<frozen runpy>")


_PLUMBING = _plumbing()  # pytest's, pluggy's and the guard's frames say nothing about a hang


def _stack(frame: FrameType) -> str:
    kept = [f for f in traceback.extract_stack(frame) if not f.filename.startswith(_PLUMBING)]
    return "".join(traceback.format_list(kept))


def describe_threads() -> str:
    """The stack of every thread (but the one asking, unless it is the main thread), main
    thread first, most recent call last, with names; frames of pytest, pluggy and this
    module left out."""
    frames = sys._current_frames()
    threads = {t.ident: t for t in threading.enumerate()}
    main = threading.main_thread().ident
    me = threading.get_ident()
    parts = []
    for ident in sorted(frames, key=lambda i: (i != main, i)):
        if ident == me and me != main:
            continue
        thread = threads.get(ident)
        name = thread.name if thread is not None else "(not a threading.Thread)"
        daemon = " daemon" if thread is not None and thread.daemon else ""
        parts.append(f"--- thread {name!r}{daemon} (id {ident}):\n{_stack(frames[ident])}")
    return "\n".join(parts)


def describe_tasks(loop: asyncio.AbstractEventLoop) -> str:
    """Each pending task of ``loop`` with the chain of coroutines it is suspended in."""
    parts = []
    for task in sorted(asyncio.all_tasks(loop), key=lambda t: t.get_name()):
        frames: list[tuple[FrameType, int]] = []
        awaited: Any = task.get_coro()
        waiting_on = ""
        for _ in range(100):  # a chain of awaits, innermost last
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            if frame is not None:
                frames.append((frame, frame.f_lineno))
            nxt = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
            if nxt is None:
                if isinstance(awaited, asyncio.Future):
                    waiting_on = f"    awaiting {awaited!r}\n"
                break
            awaited = nxt
        else:
            waiting_on = "    ... (a longer chain)\n"
        stack = "".join(traceback.StackSummary.extract(iter(frames)).format())
        parts.append(f"--- task {task.get_name()!r}: {task.get_coro()!r}\n{stack}{waiting_on}")
    return "\n".join(parts)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# -- the alarm --------------------------------------------------------------------------------


@dataclass
class _Phase:
    nodeid: str
    when: str
    bound: float  # seconds, scaled
    deadline: float  # time.monotonic()
    message: str = ""  # set when the bound ran out
    expired: bool = field(default=False)


class _Backstop:
    """``faulthandler.dump_traceback_later``, disarmed around ``fork()``.

    A child forked while it is armed inherits faulthandler's state but not its watchdog
    thread, and hangs for ever at interpreter exit, waiting for that thread; so it is
    cancelled before a fork and armed again, for the time left, in the parent after it.

    Arming starts a watchdog thread and cancelling joins it, which costs up to a millisecond
    on a loaded machine: so the phases of one test share one arming where they can (see
    :meth:`arm`), and the guard cancels it when the test ends.
    """

    def __init__(self) -> None:
        self.armed: tuple[float, bool] | None = None  # (time.monotonic() deadline, exit)

    def arm(self, deadline: float, exit: bool, headroom: float = 0.0) -> None:
        """Fire no sooner than ``deadline`` and no later than ``headroom`` seconds after it.

        Already armed within that window, it stays as it is; otherwise it is armed for the
        end of the window, so that the next phase of the test likely fits in it too.
        """
        armed = self.armed
        if armed is not None and armed[1] == exit and deadline <= armed[0] <= deadline + headroom:
            return
        self._arm(deadline + headroom, exit)

    def _arm(self, deadline: float, exit: bool) -> None:
        self.armed = (deadline, exit)
        delay = max(deadline - time.monotonic(), 0.001)
        faulthandler.dump_traceback_later(delay, exit=exit, file=_stderr())

    def cancel(self) -> None:
        if self.armed is not None:
            self.armed = None
            faulthandler.cancel_dump_traceback_later()

    def before_fork(self) -> None:
        if self.armed is not None:
            faulthandler.cancel_dump_traceback_later()

    def after_fork_in_parent(self) -> None:
        if self.armed is not None:
            self._arm(*self.armed)


_backstop = _Backstop()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_backstop.before_fork, after_in_parent=_backstop.after_fork_in_parent
    )


class _Alarm:
    """One ``SIGALRM`` timer for nested phases (pytester runs a session inside a test)."""

    def __init__(self) -> None:
        self.phases: list[_Phase] = []
        self.saved_handler: Any = None
        self.backstop = True

    def push(self, phase: _Phase) -> None:
        if not self.phases:
            self.saved_handler = signal.signal(signal.SIGALRM, self._handle)
        self.phases.append(phase)
        self._program()

    def pop(self, phase: _Phase) -> None:
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
                _backstop.cancel()
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
            end = first.deadline + max(2.0, timeouts.hang_bound("short"))
            _backstop.arm(end, exit=True, headroom=first.bound)

    def test_ended(self) -> None:
        """A test's last phase is over: cancel the backstop, unless an outer test (pytester
        runs a session inside a test) is still in a phase."""
        if not self.phases:
            _backstop.cancel()

    @staticmethod
    def _next_due(phase: _Phase) -> float:
        # After the bound ran out, again and again until the phase ends.
        return phase.deadline if not phase.expired else time.monotonic() + _repeat(phase.bound)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        now = time.monotonic()
        due = [p for p in reversed(self.phases) if p.deadline <= now + 0.001]
        if not due:
            self._program()
            return
        phase = due[0]
        again = phase.expired
        if not again:
            phase.expired = True
            phase.message = _expired_message(phase)
        self._program()
        if not _may_raise(frame):
            return  # between phases, or in the guard's own bookkeeping: at the next alarm
        if again:  # the same message, not chained to the first
            loop = _running_loop()
            if loop is not None and not loop.is_closed():
                # The first raise did not end the phase: the loop swallowed it (uvloop runs
                # Python signal handlers inside a callback of its own and only logs what they
                # raise). Stopping the loop makes run_until_complete return to the test's
                # phase with an error of its own; the report gets the stacks as a section.
                _stopped_loops.append(phase.message)
                loop.stop()
            raise HangGuardExpired(phase.message, pytrace=False) from None
        raise HangGuardExpired(phase.message, pytrace=False)


def _phase_code() -> CodeType | None:
    try:
        from _pytest.runner import CallInfo

        code: CodeType = CallInfo.from_call.__func__.__code__  # type: ignore[attr-defined]
        return code
    except (ImportError, AttributeError):  # pragma: no cover - another pytest
        return None


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


def _repeat(bound: float) -> float:
    return min(1.0, max(0.05, bound / 10))


def _expired_message(phase: _Phase) -> str:
    loop = _running_loop()
    text = (
        f"hang guard: the {phase.when} of {phase.nodeid} ran out its bound of "
        f"{phase.bound:g} s (--hang-guard, --hang-scale, or the hang_guard marker)\n\n"
        "Stacks of every thread, most recent call last (pytest's frames left out):\n\n"
        f"{describe_threads()}"
    )
    if loop is not None:
        text += f"\nTasks of the running event loop:\n\n{describe_tasks(loop)}"
    return text


_alarm = _Alarm()
_stopped_loops: list[str] = []  # messages of phases whose event loop the alarm stopped
_expired_phases: set[tuple[str, str]] = set()  # (node id, phase) whose bound ran out
_PHASE_CODE = _phase_code()
_stderr_fd: list[int] = []


def _stderr() -> int:
    """A duplicate of the process's stderr, made once: pytest captures fd 2 during tests, and
    xdist replaces ``sys.stderr`` with an object that has no file descriptor."""
    if not _stderr_fd:
        try:
            fileno = sys.stderr.fileno()
        except (AttributeError, ValueError, OSError):
            fileno = -1
        if fileno < 0:
            assert sys.__stderr__ is not None
            fileno = sys.__stderr__.fileno()
        _stderr_fd.append(os.dup(fileno))
    return _stderr_fd[0]


# -- the plugin -------------------------------------------------------------------------------


def _pytest_timeout_applies(item: pytest.Item) -> bool:
    """Whether pytest-timeout is on and puts a timeout above 0 on ``item``."""
    config = item.config
    if not config.pluginmanager.hasplugin("timeout"):
        return False
    mark = item.get_closest_marker("timeout")
    if mark is not None:
        value = mark.args[0] if mark.args else mark.kwargs.get("timeout")
    else:
        value = config.getoption("timeout", None)
        if value is None:
            value = os.environ.get("PYTEST_TIMEOUT") or config.getini("timeout")
    try:
        return float(value or 0) > 0
    except (TypeError, ValueError):
        return False  # pytest-timeout reports its own bad values


class HangGuardPlugin:
    """The hang guard, the bounded exit and the fallback report, for one session."""

    def __init__(self, config: pytest.Config, base: float | None) -> None:
        global _sessions
        _sessions += 1
        self.config = config
        self.base = base
        self.outermost = _sessions == 1
        self.session: pytest.Session | None = None
        self.can_alarm = _HAS_ALARM and threading.current_thread() is threading.main_thread()
        faulthandler_timeout = float(config.getini("faulthandler_timeout") or 0)
        _alarm.backstop = faulthandler_timeout <= 0  # pytest's own faulthandler use wins
        self.deadline_key = pytest.StashKey[float]()
        _stderr()  # now, while pytest does not capture fd 2
        self._start_budget(config)

    def _start_budget(self, config: pytest.Config) -> None:
        """Give this run its budget from ``--hang-budget`` (or the ini's ``hang_budget``); a
        nested run (pytester) gives the outer run's back when it ends."""
        given = config.getoption("hang_budget", None)
        if given is None:
            try:
                given = config.getini("hang_budget")
            except ValueError:  # a version of the options without it
                given = "3"
        try:
            limit = parse_budget(given, "--hang-budget")
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None
        budget = timeouts.budget
        config.add_cleanup(functools.partial(budget.restore, budget.saved()))
        budget.reset(limit)

    # -- header -----------------------------------------------------------------------------

    def header(self) -> list[str]:
        scale = timeouts.get_scale()
        if self.base is None:
            return ["concurrency: hang guard off (--hang-guard=TIER|SECONDS to switch it on)"]
        bound = self.base * scale
        if not self.can_alarm:
            why = "no SIGALRM here" if not _HAS_ALARM else "pytest is not on the main thread"
            return [
                f"concurrency: hang guard DEGRADED ({why}): after {bound:g} s a test's thread "
                "stacks go to stderr, but the test is not stopped"
            ]
        lines = [
            f"concurrency: hang guard {bound:g} s per test (setup and call; teardown as much "
            "again); a test that outlasts it fails with every thread's stack",
            f"concurrency: the process exits at most {EXIT_BOUND * scale:g} s after the last "
            "test, whatever threads are left",
        ]
        if self.config.pluginmanager.hasplugin("timeout"):
            lines[0] += "; not where a pytest-timeout timeout applies"
        return lines

    # -- the guard --------------------------------------------------------------------------

    def _bound(self, item: pytest.Item) -> float | None:
        try:
            marked, base = marker_bound(item.iter_markers())
        except ValueError:
            return None  # reported at collection
        if not marked:
            base = self.base
        if base is None or _pytest_timeout_applies(item):
            return None
        return timeouts.scaled(base)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        bound = self._bound(item)
        if bound is None:
            return (yield)
        deadline = item.stash[self.deadline_key] = time.monotonic() + bound
        with self._guarded(item, "setup", bound, deadline):
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        deadline = item.stash.get(self.deadline_key, None)
        bound = self._bound(item)
        if deadline is None or bound is None:
            return (yield)
        with self._guarded(item, "call", bound, deadline):
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        bound = self._bound(item)
        if bound is None:
            return (yield)
        with self._guarded(item, "teardown", bound, time.monotonic() + bound):
            return (yield)

    def _guarded(self, item: pytest.Item, when: str, bound: float, deadline: float) -> Any:
        return _Guarded(self.can_alarm, _Phase(item.nodeid, when, bound, deadline))

    def pytest_runtest_logfinish(self) -> None:
        if self.can_alarm:
            _alarm.test_ended()

    def pytest_enter_pdb(self) -> None:
        # A debugger session (--pdb, --trace, breakpoint()) takes as long as it takes.
        if self.can_alarm:
            _alarm.suspend()
        else:
            _backstop.cancel()

    # -- reports that survive ---------------------------------------------------------------

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        try:
            report = yield
        except Exception as error:  # pytest could not make the report: make a plain one
            report = fallback_report(item, call, error)
        if _stopped_loops:
            report.sections.append(("hang guard: the event loop was stopped", _stopped_loops[-1]))
            _stopped_loops.clear()
        if report.failed:
            try:
                what = _bound_that_ran_out(call)
            except Exception:  # an error that cannot even be looked at (a class that raises)
                what = ""
            if (item.nodeid, call.when) in _expired_phases:
                _expired_phases.discard((item.nodeid, call.when))
                what = f"the hang guard's bound ({call.when})"
            if what:
                report.user_properties.append((EXPIRED_PROPERTY, what))
                alarm = what.startswith("the hang guard's bound")
                if timeouts.budget.record(item.nodeid, what, spends_all=alarm):
                    report.user_properties.append((SPENT_PROPERTY, timeouts.budget.spent_because))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """In an xdist controller, mirror the workers' budgets, so its report can say."""
        if getattr(report, "node", None) is None or hasattr(self.config, "workerinput"):
            return  # run here: counted when the report was made
        carried = dict(report.user_properties)
        budget = timeouts.budget
        if EXPIRED_PROPERTY in carried:
            budget.expired.append((report.nodeid, str(carried[EXPIRED_PROPERTY])))
        if SPENT_PROPERTY in carried and not budget.spent:
            budget.spent_at, budget.spent_because = report.nodeid, str(carried[SPENT_PROPERTY])

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        budget = timeouts.budget
        if not budget.expired:
            return
        terminalreporter.section("hang budget", sep="-")
        terminalreporter.write_line(
            f"{len(budget.expired)} tests failed on a bound that ran out; the first: "
            f"{budget.expired[0][0]} ({budget.expired[0][1]})"
        )
        if budget.spent:
            terminalreporter.write_line(
                f"bounds shrank to {timeouts.SHRUNK:g} of themselves from {budget.spent_at} "
                f"on (and to {budget.factor:g} by the end): {budget.spent_because}. Verdicts "
                "after it were reached with shrunk bounds; "
                "fix the first failures and run again (--hang-budget=off keeps every bound)."
            )

    # -- bounded exit -----------------------------------------------------------------------

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.session = session
        if self.can_alarm:
            _alarm.test_ended()  # a run interrupted inside a test did not end it

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        global _sessions
        _sessions -= 1
        if not self.outermost or self.base is None or hasattr(config, "workerinput"):
            return  # a nested run, the guard off, or an xdist worker (xdist bounds its exit)
        session = self.session
        bound = EXIT_BOUND * timeouts.get_scale()
        bottom = _outermost(sys._getframe())
        watchdog = threading.Thread(
            target=_watch_exit,
            args=(session, bound, bottom),
            name="hang guard: exit",
            daemon=True,
        )
        watchdog.start()


class _Guarded:
    def __init__(self, can_alarm: bool, phase: _Phase) -> None:
        self.can_alarm = can_alarm
        self.phase = phase

    def __enter__(self) -> None:
        __tracebackhide__ = True
        remaining = self.phase.deadline - time.monotonic()
        if not self.can_alarm:
            _backstop.arm(self.phase.deadline, exit=False)
            return
        if remaining <= 0:  # setup used up the test's bound between phases
            self.phase.expired = True
            raise HangGuardExpired(_expired_message(self.phase), pytrace=False)
        _alarm.push(self.phase)

    def __exit__(self, *exc: object) -> None:
        if self.can_alarm:
            _alarm.pop(self.phase)
        else:
            _backstop.cancel()
        if self.phase.expired:  # however the phase's failure ends up wrapped (ExceptionGroup)
            _expired_phases.add((self.phase.nodeid, self.phase.when))


_BOOKKEEPING = frozenset(
    f.__code__
    for f in (_Alarm.push, _Alarm.pop, _Alarm.suspend, _Alarm._program, _Guarded.__exit__)
)


def _outermost(frame: FrameType | None) -> FrameType | None:
    while frame is not None and frame.f_back is not None:
        frame = frame.f_back
    return frame


def _watch_exit(session: pytest.Session | None, bound: float, bottom: FrameType | None) -> None:
    """Wait for interpreter shutdown to start; end the process if it outlasts ``bound``.

    Shutdown has started when the main thread no longer runs below ``bottom``, the outermost
    frame it ran in during the session (the program's ``__main__``): then it runs
    ``threading._shutdown`` (which joins ``concurrent.futures`` workers and non-daemon
    threads), an ``atexit`` function, or only C code.
    """
    main = threading.main_thread()
    while main.is_alive():
        if _outermost(sys._current_frames().get(main.ident or -1)) is not bottom:
            break
        time.sleep(0.1)
    time.sleep(bound)
    left = [t for t in threading.enumerate() if t is not main and not t.daemon and t.is_alive()]
    status = int(session.exitstatus) if session is not None else 1
    names = ", ".join(repr(t.name) for t in left) or "(none: an atexit handler)"
    try:
        sys.stdout.flush()
        sys.stderr.write(
            f"\nhang guard: the interpreter did not exit within {bound:g} s after the last "
            f"test; still running: {names}. Ending the process with exit status {status}.\n\n"
            f"{describe_threads()}\n"
        )
        sys.stderr.flush()
    finally:
        os._exit(status)


# -- what the claims report says about how the run ended ---------------------------------


def run_status(session: pytest.Session, exitstatus: int | pytest.ExitCode) -> dict[str, Any]:
    """``exit_status``, ``interrupted`` and ``interrupted_reason`` for the claims report: a run
    stopped early (Ctrl-C, ``-x``/``--maxfail``, an internal error) leaves specs not run."""
    status = int(exitstatus)
    reason = ""
    if status == pytest.ExitCode.INTERRUPTED:
        reason = "interrupted (Ctrl-C, KeyboardInterrupt or pytest.exit)"
    elif status == pytest.ExitCode.INTERNAL_ERROR:
        reason = "internal error (INTERNALERROR)"
    elif session.shouldfail or session.shouldstop:
        reason = str(session.shouldfail or session.shouldstop)
    return {
        "exit_status": status,
        "interrupted": bool(reason),
        "interrupted_reason": reason,
        "hang_budget": timeouts.budget.status(),
    }


# -- what counts as a bound that ran out ---------------------------------------------------


def _bound_that_ran_out(call: pytest.CallInfo[None]) -> str:
    """What ran out in a failed phase, or "" when its failure is not a bound running out."""
    excinfo = call.excinfo
    if excinfo is None:
        return ""
    error = excinfo.value
    kind = type(error).__name__
    if isinstance(error, HangGuardExpired):
        return f"the hang guard's bound ({call.when})"
    timeouts_ = (TimeoutError, concurrent.futures.TimeoutError, asyncio.TimeoutError)
    if isinstance(error, timeouts_) or kind in ("HangError", "NotReturnedWhileHeld"):
        return f"{kind} ({call.when})"
    if call.duration >= timeouts.hang_bound("short"):
        return f"a {kind} after {call.duration:.1f} s ({call.when})"
    return ""


# -- fallback report --------------------------------------------------------------------------


def _safe(show: Any) -> str:
    try:
        return str(show())
    except BaseException as error:  # a broken __str__, __repr__ or class; say what broke
        return f"<could not be shown: {type(error).__name__}>"


def _describe_exception(value: BaseException) -> str:
    """The last frames of ``value``'s traceback (pytest's left out) and what ``value`` says,
    as far as they can be shown."""
    try:
        entries = traceback.extract_tb(value.__traceback__)
        kept = [e for e in entries if not e.filename.startswith(_PLUMBING)][-_FALLBACK_FRAMES:]
        frames = "".join(traceback.format_list(kept))
    except BaseException:
        frames = "  (the traceback could not be read)\n"
    try:
        last = "".join(traceback.format_exception_only(type(value), value))
    except BaseException:  # even the stdlib could not: what can be shown of it
        kind = _safe(lambda: f"{type(value).__module__}.{type(value).__qualname__}")
        last = f"{kind}: {_safe(lambda: value)}\n"
    return f"Traceback (most recent call last):\n{frames}{last}"


def fallback_report(
    item: pytest.Item, call: pytest.CallInfo[None], error: BaseException
) -> pytest.TestReport:
    """A failed report for ``item``, described plainly, when pytest's own report raised
    ``error``."""
    value = call.excinfo.value if call.excinfo is not None else None
    described = _describe_exception(value) if value is not None else "(nothing raised)\n"
    text = (
        f"pytest could not describe this {call.when} phase "
        f"({_safe(lambda: type(error).__name__)}: {_safe(lambda: error)}); a plain "
        f"description of what it raised, its last {_FALLBACK_FRAMES} frames at most:\n\n{described}"
    )
    return pytest.TestReport(
        nodeid=item.nodeid,
        location=item.location,
        keywords={k: 1 for k in item.keywords},
        outcome="failed",
        longrepr=text,
        when=call.when,  # type: ignore[arg-type]  # never "collect": items only
        sections=[],
        duration=call.duration,
        start=call.start,
        stop=call.stop,
        user_properties=list(item.user_properties),
    )
