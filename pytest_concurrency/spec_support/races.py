"""Running a data race until it shows.

A race loses updates only while two threads really overlap. On a busy machine the scheduler
can run one thread to the end before the other starts, and then nothing is lost that time.
A spec that asserts a lost update therefore starts its threads together and, if nothing was
lost, runs the race again, up to a hang bound. The assertion stays strict: the spec fails when
no run within the bound loses an update.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ..timeouts import hang_bound

__all__ = ["repeat_until", "run_in_two_threads_at_once"]

T = TypeVar("T")


def run_in_two_threads_at_once(work: Callable[[], object]) -> None:
    """Run ``work`` in two new threads that a barrier releases together; join both within
    the medium hang bound."""
    start = threading.Barrier(2)

    def begin_together_then_work() -> None:
        start.wait(hang_bound())
        work()

    threads = [threading.Thread(target=begin_together_then_work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(hang_bound("medium"))


def repeat_until(attempt: Callable[[], T], done: Callable[[T], bool], *, tier: str = "medium") -> T:
    """Call ``attempt()`` until ``done(result)`` or the tier's hang bound has passed, and
    return the last result (the caller asserts on it)."""
    give_up = time.monotonic() + hang_bound(tier)
    while True:
        result = attempt()
        if done(result) or time.monotonic() > give_up:
            return result
