"""The hang budget's bookkeeping for the plugin: what counts as a bound that ran out, counting
it in :data:`timeouts.budget <pytest_concurrency.timeouts.budget>`, mirroring the workers'
counts in an xdist controller, and the terminal summary.

A test that fails on a bound that ran out (the hang guard's alarm, a
:class:`~pytest_concurrency.HangError`, a ``TimeoutError``, or any failure that took at least the
``short`` bound) spends one unit of the run's budget (``--hang-budget``), and the hang guard's
own alarm spends all of it; once it is spent, every later bound shrinks (see
:mod:`~pytest_concurrency.timeouts`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from typing import Any

import pytest

from .. import timeouts
from .alarm import HangGuardExpired
from .bounds import OFF

__all__ = [
    "EXPIRED_PROPERTY",
    "SPENT_PROPERTY",
    "bound_that_ran_out",
    "mirror",
    "parse_budget",
    "record",
    "start",
    "write_summary",
]

#: User properties of a failed report: a bound ran out in it; it spent the run's hang budget.
EXPIRED_PROPERTY = "concurrency_hang_expired"
SPENT_PROPERTY = "concurrency_hang_budget_spent"


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


def start(config: pytest.Config) -> None:
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


def bound_that_ran_out(call: pytest.CallInfo[None]) -> str:
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


def record(
    item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport, alarm: bool
) -> None:
    """Count a failed ``report`` in the budget if a bound ran out in it (``alarm``: the hang
    guard's own), and say so in its user properties, which reach an xdist controller."""
    try:
        what = bound_that_ran_out(call)
    except Exception:  # an error that cannot even be looked at (a class that raises)
        what = ""
    if alarm:
        what = f"the hang guard's bound ({call.when})"
    if what:
        report.user_properties.append((EXPIRED_PROPERTY, what))
        spends_all = what.startswith("the hang guard's bound")
        if timeouts.budget.record(item.nodeid, what, spends_all=spends_all):
            report.user_properties.append((SPENT_PROPERTY, timeouts.budget.spent_because))


def mirror(report: pytest.TestReport) -> None:
    """In an xdist controller, count what a worker's ``report`` says it spent."""
    carried = dict(report.user_properties)
    budget = timeouts.budget
    if EXPIRED_PROPERTY in carried:
        budget.expired.append((report.nodeid, str(carried[EXPIRED_PROPERTY])))
    if SPENT_PROPERTY in carried and not budget.spent:
        budget.spent_at, budget.spent_because = report.nodeid, str(carried[SPENT_PROPERTY])


def write_summary(terminalreporter: Any) -> None:
    """The ``hang budget`` section of the terminal summary, when a bound ran out."""
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
