"""The virtual loop joins a bubble: its timers read the bubble's clock, and its idle wait is a
controlled wait of the thread that runs it.

:class:`~pytest_concurrency.clock.VirtualTimeEventLoop` asks its ``_thread_time`` link (set
here while the bubble lasts) for the time and for each blocking ``select``:

* with real I/O registered, or a call in flight on an executor the bubble cannot see (neither a
  ``ThreadPoolExecutor`` nor a ``ProcessPoolExecutor``, whose submissions hold the clock
  themselves), the select is a real wait, and the clock flows while it lasts;
* otherwise it is a controlled wait until the loop's next timer: the bubble jumps to that timer
  when every other member waits too, and a ``call_soon_threadsafe`` from any thread wakes it.

``loop.time()`` and ``time.monotonic()`` move by the same amounts; their values differ by a
constant (the loop's clock still starts at 0.0).

A loop made in the bubble with ``asyncio.new_event_loop()`` (``asyncio.run`` in a thread, as
asgiref's ``async_to_sync`` does) is a virtual loop that joins the bubble too
(:func:`new_event_loop`).
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Callable
from typing import Any

from . import _originals as real
from .primitives import controlled_member, member_here
from .scheduler import STATE, Bubble, BubbleDeadlock, Member, Waiter

Ready = list[tuple[selectors.SelectorKey, int]]


class LoopLink:
    """What a joined :class:`~pytest_concurrency.clock.VirtualTimeEventLoop` asks its bubble."""

    def __init__(self, loop: Any, bubble: Bubble) -> None:
        self.loop = loop
        self.bubble = bubble
        self.offset = float(loop._virtual_now) - bubble.now()
        self.waiter: Waiter | None = None
        self.woken = False  # a wake-up came while the loop was not waiting

    def time(self) -> float:
        return self.offset + self.bubble.now()

    def woken_from_a_thread(self) -> None:
        """``call_soon_threadsafe`` (any thread): the loop has work; it is running again."""
        with STATE:
            waiter = self.waiter
            if waiter is not None and not waiter.done:
                self.bubble.finish(waiter)
                self.bubble._update()
            else:
                self.woken = True

    def _wake(self) -> None:
        asyncio.selector_events.BaseSelectorEventLoop._write_to_self(self.loop)  # type: ignore[attr-defined]

    def select(self, timeout: float | None, select: Callable[[float | None], Ready]) -> Ready:
        member = member_here()
        if member is None or timeout == 0 or not self.bubble.active:
            return select(timeout)
        if not self.loop._may_jump():
            self.bubble.enter_real_wait()
            try:
                return select(timeout)
            finally:
                self.bubble.leave_real_wait()
        return self._controlled_select(member, timeout, select)

    def _controlled_select(
        self, member: Member, timeout: float | None, select: Callable[[float | None], Ready]
    ) -> Ready:
        bubble = self.bubble
        scheduled: list[asyncio.TimerHandle] = self.loop._scheduled
        with STATE:
            if self.woken:
                self.woken = False
                return select(0)
            deadline = None
            if timeout is not None:
                when = scheduled[0].when() if scheduled else self.time() + timeout
                deadline = when - self.offset
            waiter = self.waiter = bubble.block(member, deadline, self._wake)
        try:
            if waiter.done:
                return select(0)
            while True:
                real_timeout = None if deadline is None else max(deadline - bubble.now(), 0.0)
                ready = select(real_timeout)
                with STATE:
                    if waiter.done or ready:
                        break
                    if deadline is not None and bubble.now() >= deadline - 1e-9:
                        bubble.finish(waiter, timed_out=True)
                        bubble._update()
                        break
            return ready
        finally:
            with STATE:
                self.waiter = None
                bubble.abandon(waiter)
            if waiter.error is not None:
                raise BubbleDeadlock(waiter.error)


def link(loop: Any, bubble: Bubble) -> LoopLink:
    """Join ``loop`` (a VirtualTimeEventLoop) to ``bubble`` until :func:`unlink`."""
    joined = loop._thread_time = LoopLink(loop, bubble)
    bubble.loops.append(loop)
    return joined


def unlink_all(bubble: Bubble) -> None:
    """Give each joined loop its clock back, where the bubble's left it."""
    for loop in bubble.loops:
        if loop._thread_time is not None:
            loop._virtual_now = loop.time()
            loop._thread_time = None
    bubble.loops.clear()


def new_event_loop() -> asyncio.AbstractEventLoop:
    """``asyncio.new_event_loop`` in the bubble: a virtual loop joined to it."""
    member = controlled_member()
    if member is None:
        return real.new_event_loop()
    from ..clock import VirtualTimeEventLoop

    loop = VirtualTimeEventLoop()
    link(loop, member.bubble)
    return loop
