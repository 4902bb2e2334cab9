"""CPUs: how many this process may use, and ratios measured under other programs' load.

A performance spec cannot tell "the program fell short" from "other programs kept every CPU
busy" by the wall clock alone. :func:`conclusive_ratio` (with its twin for coroutines, and
:func:`ratio_to_wall_time`, built on it for parallelism) asks the machine: it repeats a
measurement until it is conclusive (the ratio clears the bar, or CPU time sat idle and was
left unused, which proves the shortfall) and skips the test, saying so, when the machine stays
saturated up to the ``short`` hang bound.

A documented public module, imported by its name (``from pytest_concurrency.cpu import
conclusive_ratio``): its measuring helpers (:func:`conclusive_ratio`,
:func:`conclusive_ratio_async`, :func:`ratio_to_wall_time`, :func:`idle_cpu_seconds`) serve
ratio-of-medians performance claims, such as the specs' "a process pool keeps several CPUs
busy", not what most tests of concurrent code need, so the top-level package does not export
them (0.1.0 exported them there; they still work there, with a DeprecationWarning, for one
release). :func:`usable_cpus` is exported by both.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Awaitable, Callable

import pytest

from .timeouts import hang_bound

__all__ = [
    "conclusive_ratio",
    "conclusive_ratio_async",
    "idle_cpu_seconds",
    "ratio_to_wall_time",
    "usable_cpus",
]

#: Share of the machine's CPU time that, left idle during a run, makes a shortfall conclusive.
SPARE_SHARE = 0.25


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform tells, else the count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def idle_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent idle since boot (Linux: ``/proc/stat``)."""
    if not sys.platform.startswith("linux"):
        raise OSError("idle CPU time is read from /proc/stat, which only Linux has")
    with open("/proc/stat") as stat:
        fields = stat.readline().split()  # "cpu  user nice system idle iowait ..."
    return (int(fields[4]) + int(fields[5])) / os.sysconf("SC_CLK_TCK")


class _Conclusiveness:
    """Whether one measurement settles the question, for :func:`conclusive_ratio` and its
    async twin: each attempt is wrapped in :meth:`start` and :meth:`settles`."""

    def __init__(self, needed: float, what: str) -> None:
        self.needed = needed
        self.what = what
        self.give_up = time.monotonic() + hang_bound("short")

    def start(self) -> None:
        try:
            self.idle_before: float | None = idle_cpu_seconds()
        except OSError:  # not Linux: the load cannot be read, so the first result is final
            self.idle_before = None
        self.started = time.perf_counter()

    def settles(self, ratio: float) -> bool:
        """True if ``ratio`` is conclusive; False to measure again; skips the test once the
        machine has stayed saturated up to the bound."""
        if self.idle_before is None:
            return True
        wall = time.perf_counter() - self.started
        spare = (idle_cpu_seconds() - self.idle_before) / (usable_cpus() * wall)
        if ratio > self.needed or spare > SPARE_SHARE:
            return True
        if time.monotonic() > self.give_up:
            pytest.skip(
                f"other programs kept every CPU busy for {hang_bound('short'):.0f} s; "
                f"{self.what} could not be shown either way"
            )
        return False


def conclusive_ratio(
    measure: Callable[[], float], *, needed: float, what: str = "the ratio"
) -> float:
    """``measure()``'s ratio, once the result is conclusive; the last one, for the caller to
    assert on.

    A ratio above ``needed`` is conclusive, and so is a shortfall while the machine left CPU
    time idle: the measured program fell short by itself. A shortfall while other programs kept
    every CPU busy proves nothing either way, so ``measure`` runs again, and the test is
    skipped, saying so (``what`` names the quantity), if the machine stays saturated up to the
    ``short`` hang bound. Off Linux, where the machine's idle time cannot be read, the first
    ratio is final.
    """
    verdict = _Conclusiveness(needed, what)
    while True:
        verdict.start()
        ratio = measure()
        if verdict.settles(ratio):
            return ratio


async def conclusive_ratio_async(
    measure: Callable[[], Awaitable[float]], *, needed: float, what: str = "the ratio"
) -> float:
    """:func:`conclusive_ratio` for a measurement that is a coroutine function (the loop keeps
    running between attempts)."""
    verdict = _Conclusiveness(needed, what)
    while True:
        verdict.start()
        ratio = await measure()
        if verdict.settles(ratio):
            return ratio


def ratio_to_wall_time(run: Callable[[], float], *, needed: float) -> float:
    """``run()``'s seconds divided by the wall time it took, once the result is conclusive.

    ``run`` does the work and returns the seconds of CPU time it stands for (CPU time its
    workers spent, or the time the same work takes on one CPU). The measurement is repeated
    until the ratio exceeds ``needed`` or the machine left CPU time idle during the run
    (:func:`conclusive_ratio`); the last ratio is returned, for the caller to assert on.
    Off Linux the first ratio is final.
    """

    def seconds_over_wall_time() -> float:
        started = time.perf_counter()
        seconds = run()
        return seconds / (time.perf_counter() - started)

    return conclusive_ratio(seconds_over_wall_time, needed=needed, what="parallelism")
