"""Deprecated: the hang guard is the :mod:`pytest_concurrency.hang_guard` package now, and
``run_status`` is :mod:`pytest_concurrency.claims.run_status`. The old names still work, with a
``DeprecationWarning`` naming their new home, for one release."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

#: Each name this module exported until this release, and its new home.
_MOVED: dict[str, str] = {
    "EXIT_BOUND": "pytest_concurrency.hang_guard",
    "OFF": "pytest_concurrency.hang_guard",
    "HangGuardExpired": "pytest_concurrency.hang_guard",
    "HangGuardPlugin": "pytest_concurrency.hang_guard",
    "describe_threads": "pytest_concurrency.hang_guard",
    "fallback_report": "pytest_concurrency.hang_guard",
    "parse_bound": "pytest_concurrency.hang_guard",
    "parse_budget": "pytest_concurrency.hang_guard",
    "run_status": "pytest_concurrency.claims.run_status",
}

__all__ = sorted(_MOVED)


def __getattr__(name: str) -> Any:
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"pytest_concurrency.guard.{name} moved: import it from {home}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted(_MOVED)
