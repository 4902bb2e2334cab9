"""The plugin's markers: what they mean, how their arguments are read and checked.

This module is the one source of the markers' help text (``pytest --markers``) and of their
parsing; the plugin calls it, specs only apply the markers.

* ``claim`` links a spec to the claims it checks, with a verdict and a note (read by
  :mod:`pytest_concurrency.claims.links`).
* Guards (``python``, ``gil``, ``platform``, ``cpus``, ``library``) state the condition a spec
  needs; where it does not hold, the spec is skipped with a reason that says so.
* Selectors (``start_methods``, ``executor_kinds``, ``loop_flavours``) choose which executor
  kinds or loop flavours a test is run with.
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Iterable

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from .cpu import usable_cpus

__all__ = [
    "CONDITION_MARKERS",
    "CONFORMANCE_SCOPES",
    "MARKERS",
    "SELECTORS",
    "MarkerError",
    "conformance_scope",
    "gil_enabled",
    "guard_skip_reason",
    "selected_names",
]

MARKERS: dict[str, str] = {
    "claim": (
        "claim(*ids, verdict='holds', note=''): the catalogue claims this spec checks. verdict is "
        "holds, erratum (the note is wrong; the spec shows what is true) or conditional (true "
        "under the spec's guards only); erratum and conditional need a note."
    ),
    "python": (
        "python(spec): run only on Python versions in spec, a half-open range such as "
        "'>=3.12' or '>=3.10,<3.12'; skip elsewhere."
    ),
    "gil": "gil('enabled' | 'disabled'): run only where the GIL is (or is not) enabled.",
    "platform": "platform(*names): run only where sys.platform starts with one of names.",
    "cpus": "cpus(n): run only where at least n CPUs are usable (performance specs).",
    "library": "library(name, spec): run only where the installed name's version is in spec.",
    "start_methods": (
        "start_methods(*methods): the multiprocessing start methods (fork, spawn, forkserver) "
        "this test's process executors are made with."
    ),
    "executor_kinds": (
        "executor_kinds(*kinds): the executor kinds (thread, process-fork, process-spawn, "
        "process-forkserver, loky, dask, or one a pytest_concurrency_executor_kinds hook adds) "
        "this test's executor fixture is made with."
    ),
    "loop_flavours": (
        "loop_flavours(*flavours): the event-loop flavours (asyncio, debug, eager, virtual, "
        "uvloop, rloop, or one a pytest_concurrency_loop_flavours hook adds) this async test "
        "runs on, instead of those of --loop-flavours."
    ),
    "fresh_pools": (
        "fresh_pools(reason=''): the executor fixtures give this test new pools, used by it "
        "alone and shut down at its end, instead of warm ones (for claims about a pool nobody "
        "used, or workers' module state)."
    ),
    "hang_guard": (
        "hang_guard(bound): this test's hang-guard bound, instead of --hang-guard's: a tier "
        "(short, medium, long), seconds, or 'off'; scaled by --hang-scale."
    ),
    "contract": (
        "contract: this spec states the public contract (of concurrent.futures.Executor, "
        "Future, or asyncio's event loop and tasks): any implementation should pass it. "
        "--conformance=NAME runs these on one executor kind or loop flavour."
    ),
    "implementation": (
        "implementation(why): this spec states how CPython implements it (a private queue "
        "size, a message text, a default worker count), not the contract; why says which. "
        "Not run by --conformance. The closest of contract/implementation applies."
    ),
    "allow_leaks": (
        "allow_leaks(reason): this test may leave threads, processes or tasks running; the "
        "reason says why."
    ),
    "thread_virtual_time": (
        "thread_virtual_time: the test's code and the threads it starts share one virtual "
        "clock (time.sleep, time.monotonic, threading, queue and concurrent.futures timeouts, "
        "the virtual loop's timers) that jumps to the next deadline when all of them wait; "
        "async tests on the virtual loop flavour only (guide: 'Threads on virtual time')."
    ),
    "explore": (
        "explore(mode='exhaustive', runs=None, max_preemptions=None, seed=None, replay=None): "
        "the test body, taking the steps fixture, is a scenario run once per schedule of its "
        "steps (exhaustive, random or pct); the failure report names the failing schedule."
    ),
}


class MarkerError(ValueError):
    """A marker was applied with arguments it does not accept."""


def gil_enabled() -> bool:
    """Whether the GIL is on (always, before Python 3.13's free-threaded builds)."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


def _specifier(text: object, marker: str) -> SpecifierSet:
    try:
        return SpecifierSet(str(text))
    except InvalidSpecifier:
        raise MarkerError(
            f"{marker}() needs a version range like '>=3.12' or '>=3.10,<3.12', got {text!r}"
        ) from None


def _one_arg(mark: pytest.Mark) -> object:
    if len(mark.args) != 1 or mark.kwargs:
        raise MarkerError(f"{mark.name}() takes exactly one positional argument")
    return mark.args[0]


def _python(mark: pytest.Mark) -> str | None:
    spec = _specifier(_one_arg(mark), "python")
    here = ".".join(map(str, sys.version_info[:3]))
    if spec.contains(here, prereleases=True):
        return None
    return f"needs Python {spec}; this is {here}"


def _gil(mark: pytest.Mark) -> str | None:
    wanted = _one_arg(mark)
    if wanted not in ("enabled", "disabled"):
        raise MarkerError(f"gil() takes 'enabled' or 'disabled', got {wanted!r}")
    here = "enabled" if gil_enabled() else "disabled"
    return None if wanted == here else f"needs the GIL {wanted}; here it is {here}"


def _platform(mark: pytest.Mark) -> str | None:
    if not mark.args or mark.kwargs or not all(isinstance(a, str) for a in mark.args):
        raise MarkerError("platform() takes one or more names such as 'linux', 'darwin'")
    if sys.platform.startswith(tuple(mark.args)):
        return None
    return f"needs platform {' or '.join(mark.args)}; this is {sys.platform}"


def _cpus(mark: pytest.Mark) -> str | None:
    wanted = _one_arg(mark)
    if not isinstance(wanted, int) or wanted < 1:
        raise MarkerError(f"cpus() takes a positive whole number, got {wanted!r}")
    here = usable_cpus()
    return None if here >= wanted else f"needs {wanted} CPUs to show the effect; {here} usable"


def _library(mark: pytest.Mark) -> str | None:
    if len(mark.args) != 2 or mark.kwargs:
        raise MarkerError("library() takes a distribution name and a version range")
    name, text = mark.args
    spec = _specifier(text, "library")
    try:
        version = importlib.metadata.version(str(name))
    except importlib.metadata.PackageNotFoundError:
        return f"needs {name}{spec}; {name} is not installed"
    if spec.contains(version, prereleases=True):
        return None
    return f"needs {name}{spec}; installed is {version}"


_GUARDS = {
    "python": _python,
    "gil": _gil,
    "platform": _platform,
    "cpus": _cpus,
    "library": _library,
}


#: The markers that choose what a spec runs on (an executor kind or loop flavour per run).
SELECTORS = ("start_methods", "executor_kinds", "loop_flavours")
#: The markers a verdict can be conditional on: the guards, then the selectors.
CONDITION_MARKERS = (*_GUARDS, *SELECTORS)


def guard_skip_reason(marks: Iterable[pytest.Mark]) -> str | None:
    """The reason to skip, if any guard among ``marks`` does not hold here.

    Every guard is evaluated, so a malformed one is reported even after one that skips.
    """
    reasons = [guard(mark) for mark in marks if (guard := _GUARDS.get(mark.name)) is not None]
    return next((reason for reason in reasons if reason is not None), None)


def selected_names(marks: Iterable[pytest.Mark], name: str) -> list[str] | None:
    """The names given by the closest selector marker ``name``, or ``None`` when unmarked."""
    for mark in marks:
        if mark.name == name:
            if not mark.args or mark.kwargs or not all(isinstance(a, str) for a in mark.args):
                raise MarkerError(f"{name}() takes one or more names as strings")
            return list(mark.args)
    return None


#: What a spec specifies: the public contract, or CPython's implementation.
CONFORMANCE_SCOPES = ("contract", "implementation")


def conformance_scope(node: pytest.Item) -> str | None:
    """``"contract"`` or ``"implementation"``, from the closest of the two markers (a
    function's mark over its module's), or ``None`` when neither is applied."""
    for owner in node.listchain()[::-1]:
        found = [m for m in owner.own_markers if m.name in CONFORMANCE_SCOPES]
        if not found:
            continue
        if len({m.name for m in found}) > 1:
            raise MarkerError(f"{owner.name}: marked both contract and implementation; pick one")
        mark = found[0]
        if mark.name == "implementation" and (
            len(mark.args) != 1 or mark.kwargs or not str(mark.args[0]).strip()
        ):
            raise MarkerError(
                "implementation() takes one reason, e.g. implementation('the message text')"
            )
        if mark.name == "contract" and (mark.args or mark.kwargs):
            raise MarkerError("contract takes no arguments")
        return mark.name
    return None
