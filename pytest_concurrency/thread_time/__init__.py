"""Virtual time for threads: one clock for the test's threads and its virtual event loop.

Inside a *bubble* (the code of a test marked ``thread_virtual_time`` and every thread it starts),
``time.sleep``, ``time.monotonic``, ``time.perf_counter``, ``time.time``, the timed waits of
``threading`` and ``queue``, ``concurrent.futures`` timeouts and the ``virtual`` loop's timers all
read one virtual clock, which jumps to the next deadline when every thread of the bubble and the
loop wait on something the bubble controls. See :mod:`.scheduler` for the rule, and
docs/guide/sleeping-code.md ("Threads on virtual time") for the user's view.

:func:`thread_virtual_time` is the bubble as a context manager; the pytest marker uses it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import patches
from ._originals import get_ident
from .loop import link, unlink_all
from .primitives import local, member_here
from .scheduler import Bubble, BubbleDeadlock

__all__ = ["Bubble", "BubbleDeadlock", "current_bubble", "thread_virtual_time"]


def current_bubble() -> Bubble | None:
    """The active bubble this thread belongs to, or ``None``."""
    member = member_here()
    return None if member is None else member.bubble


@contextmanager
def thread_virtual_time(loop: Any = None) -> Iterator[Bubble]:
    """Run the block in a bubble; ``loop``, a ``VirtualTimeEventLoop``, joins it.

    The calling thread is the bubble's first member; threads it starts inside the block join.
    At the end, the originals are put back and threads still waiting go on in real time.
    """
    from ..clock import VirtualTimeEventLoop

    if loop is not None and not isinstance(loop, VirtualTimeEventLoop):
        raise TypeError(
            f"thread virtual time can join only a VirtualTimeEventLoop (the 'virtual' flavour), "
            f"not {type(loop).__name__}"
        )
    if getattr(local, "member", None) is not None and local.member.bubble.active:
        raise RuntimeError("this thread is already in a thread-time bubble")
    bubble = Bubble()
    patches.install()
    try:
        local.member = bubble.add_member(threading.current_thread().name, get_ident())
        bubble.start()
        if loop is not None:
            link(loop, bubble)
        try:
            yield bubble
        finally:
            unlink_all(bubble)
            bubble.stop()
            local.member = None
    finally:
        patches.uninstall()
