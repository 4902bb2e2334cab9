"""What bound a test phase runs under: ``--hang-guard``'s value, the ``hang_guard`` marker,
and whether pytest-timeout has the test instead."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable

import pytest

from .. import timeouts

__all__ = ["ACCEPTED", "OFF", "marker_bound", "parse_bound", "pytest_timeout_applies"]

#: The value that switches the guard off (option, ini value or marker).
OFF = "off"
ACCEPTED = f"a tier ({', '.join(timeouts.TIERS)}), a number of seconds such as 30, or {OFF}"


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
        raise ValueError(f"{where}: unknown hang guard {value!r}; accepted: {ACCEPTED}")
    return seconds


def marker_bound(marks: Iterable[pytest.Mark]) -> tuple[bool, float | None]:
    """``(marked, base bound)`` from the closest ``hang_guard`` marker among ``marks``."""
    for mark in marks:
        if mark.name == "hang_guard":
            if len(mark.args) != 1 or mark.kwargs:
                raise ValueError(f"hang_guard() takes one argument: {ACCEPTED}")
            return True, parse_bound(mark.args[0], "hang_guard() marker")
    return False, None


def pytest_timeout_applies(item: pytest.Item) -> bool:
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
