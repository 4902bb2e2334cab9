"""Reports that survive: when making a test's report raises (a ``__repr__`` that raises, a
``RecursionError``, a ``SystemError`` from the AST module while pytest formats a traceback),
the test gets a failed report with a plain description made by the ``traceback`` module.

A plugin of its own, registered just before the hang guard's, so that its report wrapper runs
inside the guard's: the guard and the hang budget see the report it made.
"""

from __future__ import annotations

import traceback
from collections.abc import Generator
from typing import Any

import pytest

from .stacks import PLUMBING

__all__ = ["FallbackReportPlugin", "fallback_report"]

_FALLBACK_FRAMES = 15  # frames of a traceback pytest could not format, innermost last


class FallbackReportPlugin:
    """A failed report, described plainly, for a test whose report pytest could not make."""

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        try:
            return (yield)
        except Exception as error:  # pytest could not make the report: make a plain one
            return fallback_report(item, call, error)


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
        kept = [e for e in entries if not e.filename.startswith(PLUMBING)][-_FALLBACK_FRAMES:]
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
