"""What the explorations of a test found, for the claims report.

While a test runs, every exploration it makes (:func:`~pytest_concurrency.explore`,
``explore_async``, the ready-callback mode) is noted here; the plugin puts a summary of each in
the test's report as a user property (:data:`PROPERTY`), which the claims machinery reads. So a
spec that states a claim as "k of n orders" shows those counts in the report, measured on the
interpreter that ran it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import Exploration

__all__ = ["PROPERTY", "note", "recording", "summary"]

#: The user-property key under which a test's exploration summaries travel in its reports.
PROPERTY = "pytest_concurrency.explorations"

_active: list[Exploration] | None = None


def note(result: Exploration) -> None:
    """Note one finished exploration of the test running now (nothing outside a test)."""
    if _active is not None:
        _active.append(result)


@contextlib.contextmanager
def recording() -> Iterator[list[Exploration]]:
    """Collect the explorations made inside the block."""
    global _active
    found: list[Exploration] = []
    previous, _active = _active, found
    try:
        yield found
    finally:
        _active = previous


def summary(result: Exploration) -> dict[str, Any]:
    """``{"kind", "mode", "max_preemptions", "schedules", "outcomes", "complete"}``, with the
    outcomes as text (what the scenario returned, or the exception it raised), most first."""
    return {
        "kind": result.kind,
        "mode": result.mode,
        "max_preemptions": result.max_preemptions,
        "schedules": result.schedules,
        "outcomes": {str(k): n for k, n in result.outcomes.most_common()},
        "complete": bool(result.complete),
    }
