"""Virtual time for asyncio.

:class:`VirtualTimeEventLoop` is a selector event loop whose clock starts at 0.0 and moves only
when the loop would otherwise wait:

* when every task waits on a timer and nothing real is in flight, the clock jumps straight to
  the next timer, so ``await asyncio.sleep(10)`` returns at once with ``loop.time()`` exactly 10.0
  later;
* while real work is in flight (``run_in_executor`` / ``to_thread`` calls that have not finished,
  or sockets and pipes registered with the loop), the loop really waits, and the clock advances
  by the real time waited, so timeouts around threads and I/O stay honest;
* running Python code costs no virtual time: between two waits the clock stands still, so
  elapsed times are exact sums of the delays awaited.

Why not ``looptime``: it needs Python 3.11 or newer, and this project supports 3.10; it also
installs its own pytest plugin that patches loops globally, where we need a loop factory that
composes with pytest-asyncio's ``pytest_asyncio_loop_factories`` hook like every other flavour.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import selectors
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["LoopStopwatch", "VirtualTimeEventLoop", "loop_stopwatch"]

T = TypeVar("T")


class _VirtualSelector(selectors.DefaultSelector):
    """The default selector, asked by its loop whether a wait may be skipped."""

    loop: VirtualTimeEventLoop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        loop = self.loop
        link = loop._thread_time
        if link is not None:  # joined to a thread-time bubble: the bubble decides
            return link.select(timeout, super().select)  # type: ignore[no-any-return]
        if timeout is not None and timeout > 0 and loop._may_jump():
            ready = super().select(0)
            if not ready:
                loop._jump_to_next_timer()
            return ready
        if timeout == 0:  # a poll: the loop has callbacks ready and is not waiting
            return super().select(0)
        started = time.monotonic()
        ready = super().select(timeout)
        loop._virtual_now += time.monotonic() - started
        return ready


class VirtualTimeEventLoop(asyncio.SelectorEventLoop):
    """A selector event loop on virtual time (see the module docstring)."""

    def __init__(self) -> None:
        selector = _VirtualSelector()
        selector.loop = self
        self._virtual_now = 0.0
        self._executor_calls_in_flight = 0
        #: Set while a thread-time bubble has joined this loop (pytest_concurrency.thread_time):
        #: the bubble's clock is then the loop's, and the bubble decides when idle waits end.
        self._thread_time: Any = None
        super().__init__(selector)

    def time(self) -> float:
        """The virtual clock: 0.0 when the loop is made, then the sum of the waits."""
        link = self._thread_time
        return self._virtual_now if link is None else float(link.time())

    def run_in_executor(  # type: ignore[override]  # typeshed's TypeVarTuple needs 3.11
        self, executor: concurrent.futures.Executor | None, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        """Run ``func`` as usual, holding the clock to real time until it finishes."""
        future = super().run_in_executor(executor, func, *args)
        if self._thread_time is not None and _holds_by_itself(executor):
            return future  # its submission holds the bubble's clock (thread_time.executors)
        self._executor_calls_in_flight += 1
        future.add_done_callback(self._executor_call_finished)
        return future

    def _executor_call_finished(self, _: asyncio.Future[Any]) -> None:
        self._executor_calls_in_flight -= 1

    async def shutdown_default_executor(self, *args: Any, **kwargs: Any) -> None:
        """Join the default executor's threads in real time.

        From Python 3.12 the join runs in a helper thread under a timeout (300 s when
        ``asyncio.Runner`` closes the loop); without this the clock would jump over it.
        """
        self._executor_calls_in_flight += 1
        try:
            await super().shutdown_default_executor(*args, **kwargs)
        finally:
            self._executor_calls_in_flight -= 1

    def _write_to_self(self) -> None:
        link = self._thread_time
        if link is not None:  # call_soon_threadsafe: the loop has work, it is not idle
            link.woken_from_a_thread()
        super()._write_to_self()  # type: ignore[misc]

    def _may_jump(self) -> bool:
        # The self-pipe that wakes the loop from other threads is always registered; any other
        # file object means real I/O the loop is waiting on.
        real_io = len(self._selector.get_map()) > 1  # type: ignore[attr-defined]
        return self._executor_calls_in_flight == 0 and not real_io

    def _jump_to_next_timer(self) -> None:
        # Land exactly on the timer's deadline (not now + timeout) so sums stay exact.
        scheduled: list[asyncio.TimerHandle] = self._scheduled  # type: ignore[attr-defined]
        if scheduled:
            self._virtual_now = max(self._virtual_now, scheduled[0].when())


def _holds_by_itself(executor: concurrent.futures.Executor | None) -> bool:
    standard = (concurrent.futures.ThreadPoolExecutor, concurrent.futures.ProcessPoolExecutor)
    return executor is None or isinstance(executor, standard)


class LoopStopwatch:
    """Elapsed loop time of a ``with loop_stopwatch():`` block (see :func:`loop_stopwatch`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._start = loop.time()
        self._stop: float | None = None

    @property
    def seconds(self) -> float:
        """Loop seconds from the start of the block to its end (or to now, inside it)."""
        end = self._loop.time() if self._stop is None else self._stop
        return end - self._start


@contextmanager
def loop_stopwatch() -> Iterator[LoopStopwatch]:
    """Measure the running loop's time across a block; exact under the ``virtual`` flavour::

        with loop_stopwatch() as elapsed:
            await asyncio.sleep(10)
        assert elapsed.seconds == 10.0

    On other flavours it measures the loop's real (monotonic) seconds.
    """
    watch = LoopStopwatch(asyncio.get_running_loop())
    try:
        yield watch
    finally:
        watch._stop = watch._loop.time()
