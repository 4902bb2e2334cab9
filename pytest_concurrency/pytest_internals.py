"""The one module that reads pytest's and pytest-asyncio's private names.

The plugin needs a few things neither project offers publicly. Each is flagged as trio flags
its own uses of private names (*internal API*; *why*; *public API that would replace it*), so
that a new release of either project breaks here, in one place, and the fix is plain.

A module of its own, beside :mod:`.cpython_internals` rather than inside it: that one imports
only the standard library (the leak check imports it, and must stay cheap), this one imports
pytest; and a pytest or pytest-asyncio release is a different reason to change than a new
Python.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from types import CodeType
from typing import Any

import pytest

__all__ = [
    "LOOP_FACTORY_PARAM",
    "Failed",
    "call_phase_code",
    "loop_factory_of",
    "pytest_source_dirs",
    "release_failed_call_frames",
    "run_session",
    "running_loop_of",
]

# --- pytest -----------------------------------------------------------------------------------

#: The class of ``pytest.fail``'s exception, which the hang guard's own failure extends.
#: internal API: ``_pytest.outcomes.Failed``; why: ``pytest.fail.Exception`` is the same class,
#: but type checkers do not accept an attribute of a function as a base class; public API that
#: would replace it: ``pytest.Failed`` exported as a name.
from _pytest.outcomes import Failed


def call_phase_code() -> CodeType | None:
    """The code object of the function that runs each test phase, or ``None``.

    internal API: the code of ``pytest.CallInfo.from_call`` (public class, private body); why:
    the hang guard raises only while a test phase is on the stack, never in pytest's or its
    own bookkeeping between phases; public API that would replace it: a hook or context
    variable telling which phase is running.
    """
    try:
        code: CodeType = pytest.CallInfo.from_call.__func__.__code__  # type: ignore[attr-defined]
        return code
    except AttributeError:  # pragma: no cover - another pytest
        return None


def pytest_source_dirs() -> tuple[str, ...]:
    """The folders of pytest's modules (``pytest`` and ``_pytest``), whose frames say nothing
    about a hang.

    internal API: the ``_pytest`` package's location; why: the guard leaves pytest's own frames
    out of the stacks it shows; public API that would replace it: none needed beyond a
    documented package layout.
    """
    import _pytest

    return tuple(os.path.dirname(m.__file__ or "") for m in (_pytest, pytest))


def run_session(
    config: pytest.Config, main: Callable[[pytest.Config, pytest.Session], int]
) -> int | pytest.ExitCode:
    """Run ``main(config, session)`` inside a pytest session, as ``--fixtures`` does.

    internal API: ``_pytest.main.wrap_session``; why: ``--claims`` lists the claims with the
    specs that check each, which needs a collected session, then exits without running;
    public API that would replace it: a documented ``wrap_session`` (or a hook to list
    instead of run, as pytest's own ``--fixtures`` and ``--markers`` do).
    """
    from _pytest.main import wrap_session

    return wrap_session(config, main)


# --- pytest-asyncio ---------------------------------------------------------------------------

#: internal API: pytest-asyncio's ``_asyncio_loop_factory`` fixture, by which it parametrizes a
#: test with the factories ``pytest_asyncio_loop_factories`` returns; why: to know which loop
#: flavour a collected test runs on (skip an unavailable one before setup, pick the tests of a
#: ``--conformance`` run, record the flavour in the claims report); public API that would
#: replace it: a documented fixture or item attribute naming the chosen loop factory.
LOOP_FACTORY_PARAM = "_asyncio_loop_factory"


def release_failed_call_frames() -> None:
    """Clear the local variables of the frames of the test call that just failed.

    internal API: pytest's runner keeps the failure in ``sys.last_traceback`` (and
    ``sys.last_value``, ``sys.last_exc`` from 3.12) until the next test's call, for
    post-mortem debugging; why: those frames keep the failed test's locals alive past its
    teardown, so the leak check would blame the test for what only its failure holds (a
    ``multiprocessing`` semaphore that the frame's end would have released). ``--pdb`` and
    ``pytest_exception_interact`` have run by teardown; the traceback itself stays, so a later
    ``pdb.pm()`` still shows where it failed, without the locals. Public API that would replace
    it: none; pytest could drop the frames' locals itself once post-mortem has had its turn.
    """
    entry = getattr(sys, "last_traceback", None)
    while entry is not None:
        frame = entry.tb_frame
        with contextlib.suppress(RuntimeError):  # a frame still running keeps its locals
            frame.clear()
            # Before 3.13 a frame also keeps the snapshot of its locals that formatting the
            # failure made (``f_locals``); reading it again syncs it with the cleared frame.
            frame.f_locals  # noqa: B018
        entry = entry.tb_next


def loop_factory_of(item: pytest.Item) -> object | None:
    """The loop factory pytest-asyncio parametrized ``item`` with, or ``None``."""
    params: dict[str, Any] = getattr(getattr(item, "callspec", None), "params", {})
    return params.get(LOOP_FACTORY_PARAM)


def running_loop_of(item: pytest.Item) -> asyncio.AbstractEventLoop | None:
    """The event loop an async test runs on, while it runs, or ``None``.

    internal API: pytest-asyncio's ``_<scope>_scoped_runner`` fixtures (an
    ``asyncio.Runner``) among the test's fixture values; why: the tasks a test leaves pending
    on its loop are leaks, counted after the call while the loop is still open; public API
    that would replace it: a documented fixture giving the test's loop (``event_loop`` was,
    before it was removed).
    """
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    for name, value in funcargs.items():
        if name.startswith("_") and name.endswith("_scoped_runner"):
            loop: asyncio.AbstractEventLoop = value.get_loop()
            return loop
    return None
