"""Executor work submitted from the bubble holds its clock until it finishes.

``ThreadPoolExecutor.submit`` and ``ProcessPoolExecutor.submit`` are wrapped while a bubble is
active. Work submitted by a member holds the clock until its future is done, so a timeout around
it (``future.result(timeout)``, ``wait``, ``as_completed``) is never jumped over while the work
runs in a process, or in a worker thread outside the bubble (a pool made before the test). A
thread pool made in the bubble needs no hold: its workers are members, and the one the work
wakes (or starts) holds the clock by running; a ``time.sleep`` in it is virtual.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any

from .primitives import controlled_member, member_here
from .scheduler import STATE, Bubble

ORIGINAL_SUBMITS: dict[type[concurrent.futures.Executor], Callable[..., Any]] = {
    concurrent.futures.ThreadPoolExecutor: concurrent.futures.ThreadPoolExecutor.submit,
    concurrent.futures.ProcessPoolExecutor: concurrent.futures.ProcessPoolExecutor.submit,
}


class _Hold:
    """One piece of outside work the bubble waits for; released once."""

    __slots__ = ("bubble", "held")

    def __init__(self, bubble: Bubble) -> None:
        self.bubble = bubble
        self.held = True
        bubble.hold()

    def release(self, *_: object) -> None:
        with STATE:
            if not self.held:
                return
            self.held = False
            self.bubble._holds -= 1
            self.bubble._update()


def _holding_submit(cls: type[concurrent.futures.Executor]) -> Callable[..., Any]:
    original = ORIGINAL_SUBMITS[cls]
    in_threads = issubclass(cls, concurrent.futures.ThreadPoolExecutor)

    def submit(
        self: concurrent.futures.Executor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[Any]:
        member = controlled_member()
        work_queue = getattr(self, "_work_queue", None)
        if member is None or getattr(work_queue, "_pc_bubble", None) is member.bubble:
            # Outside the bubble; or a pool made in it, whose workers are members: the put
            # wakes one (or starts one), which holds the clock by running.
            return original(self, fn, *args, **kwargs)  # type: ignore[no-any-return]
        hold = _Hold(member.bubble)
        call = fn
        if in_threads:

            def call(*args: Any, **kwargs: Any) -> Any:
                here = member_here()
                if here is not None and here.bubble is hold.bubble:
                    hold.release()
                return fn(*args, **kwargs)

        try:
            future: concurrent.futures.Future[Any] = original(self, call, *args, **kwargs)
        except BaseException:
            hold.release()
            raise
        future.add_done_callback(hold.release)
        return future

    submit.__name__ = submit.__qualname__ = "submit"
    submit.__doc__ = original.__doc__
    return submit


HOLDING_SUBMITS = {cls: _holding_submit(cls) for cls in ORIGINAL_SUBMITS}
