"""Whether a debugger is driving this thread: then the hang guard stands aside.

A debugging session takes as long as it takes, so a bound that runs out under a debugger is
not a hang. The rule, after pytest-timeout's ``is_debugging()``: a debugger is active when

- this thread's trace function (``sys.gettrace()``) belongs to a ``bdb.Bdb`` (pdb, ipdb, pudb,
  pytest's own), or comes from a module named ``bdb`` or ``pdb`` or one whose name starts with
  ``pydevd`` or ``_pydevd`` (pydevd, under VS Code's debugpy and PyCharm);
- pydevd is imported and has a debugger running (its ``get_global_debugger()``);
- on Python 3.12+, a tool holds ``sys.monitoring.DEBUGGER_ID`` (pydevd uses it there).

Any other trace function (coverage's ``CTracer`` or ``PyTracer``, a profiler, a plain function)
is not a debugger: the guard stays on under coverage.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["is_debugging"]

_DEBUGGER_MODULES = frozenset({"bdb", "pdb"})
_DEBUGGER_PREFIXES = ("pydevd", "_pydevd")
#: Modules of pydevd (and debugpy, which bundles it) that hold its debugger, once one runs.
_PYDEVD_HOLDERS = ("pydevd", "_pydevd_bundle.pydevd_constants")


def is_debugging() -> bool:
    """Whether a debugger drives the calling thread (see the module's docstring)."""
    trace = sys.gettrace()
    if trace is not None and _is_debugger_tracer(trace):
        return True
    for name in _PYDEVD_HOLDERS:
        get_debugger = getattr(sys.modules.get(name), "get_global_debugger", None)
        try:
            if callable(get_debugger) and get_debugger() is not None:
                return True
        except Exception:  # a pydevd of another shape: its tracer or tool id still tells
            pass
    monitoring: Any = getattr(sys, "monitoring", None)  # Python 3.12+
    return monitoring is not None and monitoring.get_tool(monitoring.DEBUGGER_ID) is not None


def _is_debugger_tracer(trace: object) -> bool:
    bdb = sys.modules.get("bdb")  # no Bdb exists unless bdb was imported
    if bdb is not None and isinstance(getattr(trace, "__self__", None), bdb.Bdb):
        return True
    # A function's module; a method's, or its object's class's (pydevd's compiled methods have
    # no __module__ of their own); a callable object's class's (coverage's CTracer).
    owner = getattr(trace, "__self__", None)
    modules = (
        getattr(trace, "__module__", None),
        type(owner).__module__ if owner is not None else None,
        type(trace).__module__,
    )
    return any(_is_debugger_module(str(m)) for m in modules if m)


def _is_debugger_module(name: str) -> bool:
    parts = name.split(".")
    return any(p in _DEBUGGER_MODULES or p.startswith(_DEBUGGER_PREFIXES) for p in parts)
