"""The hang guard's pytest plugin: its hooks, in the order pytest calls them, each delegating
to the module that does the job (:mod:`.bounds`, :mod:`.alarm`, :mod:`.backstop`,
:mod:`.budget`, :mod:`.exit_watchdog`)."""

from __future__ import annotations

import time
from collections.abc import Generator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from .. import timeouts
from . import alarm, budget, exit_watchdog
from .alarm import Phase, guarded, the_alarm
from .backstop import backstop, stderr_fd
from .bounds import marker_bound, pytest_timeout_applies

__all__ = ["HangGuardPlugin"]

_sessions = 0  # configured sessions in this process: pytester inline runs nest in the outer one


class HangGuardPlugin:
    """The hang guard, its budget and the bounded exit, for one session."""

    def __init__(self, config: pytest.Config, base: float | None) -> None:
        global _sessions
        _sessions += 1
        self.config = config
        self.base = base
        self.outermost = _sessions == 1
        self.session: pytest.Session | None = None
        self.can_alarm = alarm.can_alarm_here()
        faulthandler_timeout = float(config.getini("faulthandler_timeout") or 0)
        the_alarm.backstop = faulthandler_timeout <= 0  # pytest's own faulthandler use wins
        self.deadline_key = pytest.StashKey[float]()
        stderr_fd()  # now, while pytest does not capture fd 2
        budget.start(config)

    # -- header -----------------------------------------------------------------------------

    def header(self) -> list[str]:
        scale = timeouts.get_scale()
        if self.base is None:
            return ["concurrency: hang guard off (--hang-guard=TIER|SECONDS to switch it on)"]
        bound = self.base * scale
        if not self.can_alarm:
            why = "no SIGALRM here" if not alarm.HAS_ALARM else "pytest is not on the main thread"
            return [
                f"concurrency: hang guard DEGRADED ({why}): after {bound:g} s a test's thread "
                "stacks go to stderr, but the test is not stopped"
            ]
        lines = [
            f"concurrency: hang guard {bound:g} s per test (setup and call; teardown as much "
            "again); a test that outlasts it fails with every thread's stack",
            f"concurrency: the process exits at most {exit_watchdog.EXIT_BOUND * scale:g} s "
            "after the last test, whatever threads are left",
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
        if base is None or pytest_timeout_applies(item):
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

    def _guarded(
        self, item: pytest.Item, when: str, bound: float, deadline: float
    ) -> AbstractContextManager[None]:
        return guarded(self.can_alarm, Phase(item.nodeid, when, bound, deadline))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        # Around the fallback report's wrapper (registered before this plugin).
        report = yield
        if alarm.stopped_loops:
            report.sections.append(
                ("hang guard: the event loop was stopped", alarm.stopped_loops[-1])
            )
            alarm.stopped_loops.clear()
        if report.failed:
            phase = (item.nodeid, call.when)
            ran_out = phase in alarm.expired_phases
            alarm.expired_phases.discard(phase)
            budget.record(item, call, report, alarm=ran_out)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """In an xdist controller, mirror the workers' budgets, so its report can say."""
        if getattr(report, "node", None) is None or hasattr(self.config, "workerinput"):
            return  # run here: counted when the report was made
        budget.mirror(report)

    def pytest_runtest_logfinish(self) -> None:
        if self.can_alarm:
            the_alarm.test_ended()

    def pytest_enter_pdb(self) -> None:
        # A debugger session (--pdb, --trace, breakpoint()) takes as long as it takes.
        if self.can_alarm:
            the_alarm.suspend()
        else:
            backstop.cancel()

    # -- the session's end and the bounded exit -------------------------------------------

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.session = session
        if self.can_alarm:
            the_alarm.test_ended()  # a run interrupted inside a test did not end it

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        budget.write_summary(terminalreporter)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        global _sessions
        _sessions -= 1
        if not self.outermost or self.base is None or hasattr(config, "workerinput"):
            return  # a nested run, the guard off, or an xdist worker (xdist bounds its exit)
        exit_watchdog.start(self.session, exit_watchdog.EXIT_BOUND * timeouts.get_scale())
