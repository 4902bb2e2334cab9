"""Install and remove the bubble's replacements of module attributes.

Only attributes looked up at call time are replaced: ``time.sleep`` and the clocks,
``threading.Lock``/``RLock``/``Condition`` (which ``Event``, ``Semaphore``, ``Barrier``,
``Timer``, ``queue.Queue`` and ``concurrent.futures`` build on), ``threading._allocate_lock`` and
``threading._time``, ``Thread.start``/``join``, ``queue.time``, ``queue.SimpleQueue``, the two
pools' ``submit``, and ``asyncio.new_event_loop`` (a loop made in the bubble joins it). A name
bound at import (``from time import sleep``) keeps the original: that code sleeps in real time,
holding the clock like any running code.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from typing import Any

from . import _originals as real
from . import loop as bubble_loops
from . import primitives as bubble_side
from .executors import HOLDING_SUBMITS, ORIGINAL_SUBMITS
from .scheduler import STATE

_installed = False


def _forget_in_child() -> None:
    """A process forked from the bubble (a process pool's worker) is outside it: it gets the
    originals back, and the bubble it inherited, no longer active, answers in real time."""
    from .primitives import local

    STATE._at_fork_reinit()  # type: ignore[attr-defined]
    member = getattr(local, "member", None)
    if member is not None:
        member.bubble.active = False
        local.member = None
    if _installed:
        uninstall()


_fork_hooks_registered = False


def _register_fork_hooks() -> None:
    """Once, at the first bubble (so that a run that never asks for one has no hook): the
    bubble's lock is not held by another thread across a fork, and the child forgets."""
    global _fork_hooks_registered
    if not _fork_hooks_registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(
            before=STATE.acquire, after_in_parent=STATE.release, after_in_child=_forget_in_child
        )
        _fork_hooks_registered = True


def _table() -> list[tuple[Any, str, Any, Any]]:
    """(owner, attribute, original, replacement) for every patch."""
    rows: list[tuple[Any, str, Any, Any]] = [
        (time, "sleep", real.sleep, bubble_side.sleep),
        (time, "monotonic", real.monotonic, bubble_side.monotonic),
        (time, "monotonic_ns", real.monotonic_ns, bubble_side.monotonic_ns),
        (time, "perf_counter", real.perf_counter, bubble_side.perf_counter),
        (time, "perf_counter_ns", real.perf_counter_ns, bubble_side.perf_counter_ns),
        (time, "time", real.wall_time, bubble_side.wall_time),
        (time, "time_ns", real.wall_time_ns, bubble_side.wall_time_ns),
        (threading, "Lock", real.Lock, bubble_side.Lock),
        (threading, "RLock", real.RLock, bubble_side.RLock),
        (threading, "Condition", real.Condition, bubble_side.Condition),
        (threading, "_allocate_lock", real.threading_allocate_lock, bubble_side.allocate_lock),
        (threading, "_time", real.threading_time, bubble_side.monotonic),
        (threading.Thread, "start", real.thread_start, bubble_side.thread_start),
        (threading.Thread, "join", real.thread_join, bubble_side.thread_join),
        (queue, "time", real.queue_time, bubble_side.monotonic),
        (queue, "SimpleQueue", real.SimpleQueue, bubble_side.SimpleQueue),
        (asyncio.events, "new_event_loop", real.new_event_loop, bubble_loops.new_event_loop),
        (asyncio, "new_event_loop", real.new_event_loop, bubble_loops.new_event_loop),
    ]
    for cls, original in ORIGINAL_SUBMITS.items():
        rows.append((cls, "submit", original, HOLDING_SUBMITS[cls]))
    return rows


def install() -> None:
    """Replace the attributes (once; a second bubble at the same time is an error)."""
    global _installed
    if _installed:
        raise RuntimeError(
            "thread virtual time is already on in this process (one bubble at a time)"
        )
    changed = [f"{_name(o)}.{a}" for o, a, original, _ in _table() if getattr(o, a) is not original]
    if changed:
        raise RuntimeError(
            "thread virtual time cannot start: something else replaced "
            f"{', '.join(changed)} (another time-faking tool?); use one at a time"
        )
    _register_fork_hooks()
    for owner, attribute, _, replacement in _table():
        setattr(owner, attribute, replacement)
    _installed = True


def uninstall() -> None:
    """Put every original back."""
    global _installed
    for owner, attribute, original, _ in _table():
        setattr(owner, attribute, original)
    _installed = False


def installed() -> bool:
    return _installed


def originals_in_place() -> dict[str, bool]:
    """``{"time.sleep": True, ...}``: whether each patched attribute is the original now."""
    return {f"{_name(o)}.{a}": getattr(o, a) is original for o, a, original, _ in _table()}


def _name(owner: Any) -> str:
    return str(getattr(owner, "__qualname__", None) or owner.__name__)
