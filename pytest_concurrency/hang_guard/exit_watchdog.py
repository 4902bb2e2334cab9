"""The exit watchdog: after the outermost session ends, a daemon thread waits for the
interpreter to start shutting down; if shutdown (joining non-daemon threads such as a
``ThreadPoolExecutor`` worker blocked on an ``Event``, then ``atexit``) outlasts its bound, it
writes which threads are left, with their stacks, to stderr and ends the process with the
session's exit status."""

from __future__ import annotations

import os
import sys
import threading
import time
from types import FrameType

import pytest

from .stacks import describe_threads

__all__ = ["EXIT_BOUND", "start"]

#: Seconds the interpreter may spend shutting down after the last test (times --hang-scale).
EXIT_BOUND = 10.0


def start(session: pytest.Session | None, bound: float) -> None:
    """Watch the interpreter's shutdown from now on, called from the main thread's hook."""
    bottom = _outermost(sys._getframe())
    watchdog = threading.Thread(
        target=_watch_exit, args=(session, bound, bottom), name="hang guard: exit", daemon=True
    )
    watchdog.start()


def _outermost(frame: FrameType | None) -> FrameType | None:
    while frame is not None and frame.f_back is not None:
        frame = frame.f_back
    return frame


def _watch_exit(session: pytest.Session | None, bound: float, bottom: FrameType | None) -> None:
    """Wait for interpreter shutdown to start; end the process if it outlasts ``bound``.

    Shutdown has started when the main thread no longer runs below ``bottom``, the outermost
    frame it ran in during the session (the program's ``__main__``): then it runs
    ``threading._shutdown`` (which joins ``concurrent.futures`` workers and non-daemon
    threads), an ``atexit`` function, or only C code.
    """
    main = threading.main_thread()
    while main.is_alive():
        if _outermost(sys._current_frames().get(main.ident or -1)) is not bottom:
            break
        time.sleep(0.1)
    time.sleep(bound)
    left = [t for t in threading.enumerate() if t is not main and not t.daemon and t.is_alive()]
    status = int(session.exitstatus) if session is not None else 1
    names = ", ".join(repr(t.name) for t in left) or "(none: an atexit handler)"
    try:
        sys.stdout.flush()
        sys.stderr.write(
            f"\nhang guard: the interpreter did not exit within {bound:g} s after the last "
            f"test; still running: {names}. Ending the process with exit status {status}.\n\n"
            f"{describe_threads()}\n"
        )
        sys.stderr.flush()
    finally:
        os._exit(status)
