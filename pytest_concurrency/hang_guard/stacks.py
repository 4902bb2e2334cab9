"""What every thread, and every task of a running event loop, is doing: the text of a hang
guard failure and of the exit watchdog's last words."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import traceback
from types import FrameType
from typing import Any

__all__ = ["PLUMBING", "describe_tasks", "describe_threads", "running_loop"]


def _plumbing() -> tuple[str, ...]:
    import pluggy

    from ..pytest_internals import pytest_source_dirs

    dirs = (*pytest_source_dirs(), os.path.dirname(pluggy.__file__ or ""))
    here = os.path.dirname(__file__)  # the hang guard's own modules
    return (*(os.path.join(d, "") for d in (*dirs, here)), "<frozen runpy>")


#: Where frames come from that say nothing about a hang: pytest, pluggy and the hang guard.
PLUMBING = _plumbing()


def _stack(frame: FrameType) -> str:
    kept = [f for f in traceback.extract_stack(frame) if not f.filename.startswith(PLUMBING)]
    return "".join(traceback.format_list(kept))


def describe_threads() -> str:
    """The stack of every thread (but the one asking, unless it is the main thread), main
    thread first, most recent call last, with names; frames of pytest, pluggy and the hang
    guard left out."""
    frames = sys._current_frames()
    threads = {t.ident: t for t in threading.enumerate()}
    main = threading.main_thread().ident
    me = threading.get_ident()
    parts = []
    for ident in sorted(frames, key=lambda i: (i != main, i)):
        if ident == me and me != main:
            continue
        thread = threads.get(ident)
        name = thread.name if thread is not None else "(not a threading.Thread)"
        daemon = " daemon" if thread is not None and thread.daemon else ""
        parts.append(f"--- thread {name!r}{daemon} (id {ident}):\n{_stack(frames[ident])}")
    return "\n".join(parts)


def describe_tasks(loop: asyncio.AbstractEventLoop) -> str:
    """Each pending task of ``loop`` with the chain of coroutines it is suspended in."""
    parts = []
    for task in sorted(asyncio.all_tasks(loop), key=lambda t: t.get_name()):
        frames: list[tuple[FrameType, int]] = []
        awaited: Any = task.get_coro()
        waiting_on = ""
        for _ in range(100):  # a chain of awaits, innermost last
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            if frame is not None:
                frames.append((frame, frame.f_lineno))
            nxt = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
            if nxt is None:
                if isinstance(awaited, asyncio.Future):
                    waiting_on = f"    awaiting {awaited!r}\n"
                break
            awaited = nxt
        else:
            waiting_on = "    ... (a longer chain)\n"
        stack = "".join(traceback.StackSummary.extract(iter(frames)).format())
        parts.append(f"--- task {task.get_name()!r}: {task.get_coro()!r}\n{stack}{waiting_on}")
    return "\n".join(parts)


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
