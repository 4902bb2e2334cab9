"""Executor work submitted from the bubble holds its clock until it finishes.

``ThreadPoolExecutor.submit`` and ``ProcessPoolExecutor.submit`` are wrapped while a bubble is
active. Work submitted by a member holds the clock until its future is done, so a timeout around
it (``future.result(timeout)``, ``wait``, ``as_completed``) is never jumped over while the work
waits for a worker or runs in a process.

Work submitted to a thread pool runs in the bubble whichever thread runs it: a worker of a pool
made before the test (a warm pool, a library's module-level pool such as asgiref's) joins the
bubble as a *guest* for the length of the call, so its ``time.sleep`` is virtual too, and leaves
it when the call returns. A thread pool made in the bubble needs no hold at all: its workers are
members, and the one the work wakes (or starts) holds the clock by running.
"""

from __future__ import annotations

import concurrent.futures
import functools
import threading
from collections.abc import Callable
from typing import Any

from ..cpython_internals import work_queue_of
from . import _originals as real
from .primitives import controlled_member, local, member_here
from .scheduler import Bubble

ORIGINAL_SUBMITS: dict[type[concurrent.futures.Executor], Callable[..., Any]] = {
    concurrent.futures.ThreadPoolExecutor: concurrent.futures.ThreadPoolExecutor.submit,
    concurrent.futures.ProcessPoolExecutor: concurrent.futures.ProcessPoolExecutor.submit,
}


class _Submission:
    """One call submitted from the bubble: what holds the clock for it, from submission until
    a member starts it, and again from its end until its future's callbacks have run."""

    __slots__ = ("bubble", "executor", "holds")

    def __init__(self, bubble: Bubble, executor: object) -> None:
        self.bubble = bubble
        self.executor = executor
        self.holds = [bubble.hold(executor)]

    def release(self, *_: object) -> None:
        while self.holds:
            self.bubble.release_hold(self.holds.pop())

    def run(self, fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
        """Run ``fn`` in this (pool worker) thread, in the bubble."""
        bubble = self.bubble
        here = member_here()
        if (here is not None and here.bubble is bubble) or not bubble.active:
            self.release()  # a member runs it: it holds the clock by running
            return fn(*args, **kwargs)
        saved = getattr(local, "member", None)  # a member of an earlier, ended bubble, or None
        name = f"{threading.current_thread().name} (a guest: work submitted from the bubble)"
        guest = bubble.add_member(name, real.get_ident(), self.executor)
        local.member = guest
        self.release()
        try:
            return fn(*args, **kwargs)
        finally:
            local.member = saved
            self.holds.append(bubble.hold())  # until the future's callbacks have run
            bubble.member_finished(guest)


def _release_last(submission: _Submission, future: concurrent.futures.Future[Any]) -> None:
    """Let go of the submission's holds after the future's other done callbacks have run: they
    are what tells the bubble the result is there (``call_soon_threadsafe`` to a loop, an Event
    of ``wait``); released before them, the bubble would see every member waiting and jump past,
    or report a deadlock. CPython runs the callbacks from a list it iterates, so one appended
    now runs last (a private detail: where the list is missing, it lets go at once)."""
    callbacks = getattr(future, "_done_callbacks", None)
    if isinstance(callbacks, list):
        callbacks.append(submission.release)
    else:
        submission.release()


def _holding_submit(cls: type[concurrent.futures.Executor]) -> Callable[..., Any]:
    original = ORIGINAL_SUBMITS[cls]
    in_threads = issubclass(cls, concurrent.futures.ThreadPoolExecutor)

    def submit(
        self: concurrent.futures.Executor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[Any]:
        member = controlled_member()
        work_queue = work_queue_of(self)
        if member is None or getattr(work_queue, "_pc_bubble", None) is member.bubble:
            # Outside the bubble; or a pool made in it, whose workers are members: the put
            # wakes one (or starts one), which holds the clock by running.
            return original(self, fn, *args, **kwargs)  # type: ignore[no-any-return]
        submission = _Submission(member.bubble, self if in_threads else None)
        call = fn
        if in_threads:

            def call(*args: Any, **kwargs: Any) -> Any:
                return submission.run(fn, args, kwargs)

        try:
            future: concurrent.futures.Future[Any] = original(self, call, *args, **kwargs)
        except BaseException:
            submission.release()
            raise
        future.add_done_callback(functools.partial(_release_last, submission))
        return future

    submit.__name__ = submit.__qualname__ = "submit"
    submit.__doc__ = original.__doc__
    return submit


HOLDING_SUBMITS = {cls: _holding_submit(cls) for cls in ORIGINAL_SUBMITS}
