"""Thread virtual time: one clock for the test's threads and its virtual loop.

Most tests use the ``thread_virtual_time`` marker as a user would; a few run a small test file
with ``pytester`` to see what the marker does to a run (skips, a deadlock report, the hang guard).
Every wait is bounded: inside a bubble a timeout is virtual, and a deadlock is reported at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import multiprocessing.connection
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from pytest_concurrency import VirtualTimeEventLoop, hang_bound
from pytest_concurrency.thread_time import (
    BubbleDeadlock,
    current_bubble,
    patches,
    thread_virtual_time,
)
from pytest_concurrency.thread_time import _originals as real

virtual_time = pytest.mark.thread_virtual_time


def _spin(seconds: float) -> float:
    """Real CPU work for ``seconds`` of real time; returns the real seconds it took."""
    started = real.monotonic()
    while real.monotonic() - started < seconds:
        pass
    return real.monotonic() - started


def _until(condition: Callable[[], bool]) -> None:
    """Busy-wait, on the real clock, until ``condition()`` holds (bounded)."""
    deadline = real.monotonic() + hang_bound("short")
    while not condition():
        assert real.monotonic() < deadline, "the condition never held"
        real.sleep(0.001)


def _waiting(n: int) -> Callable[[], bool]:
    bubble = current_bubble()
    assert bubble is not None
    return lambda: bubble.snapshot()["waiting"] >= n


# --- exactness -------------------------------------------------------------------------------


@virtual_time
def test_an_hour_of_sleep_in_a_thread_returns_at_once_an_hour_later() -> None:
    """time.sleep(3600) in a thread returns at once; the thread's clock moved by exactly 3600."""
    seen: list[float] = []

    def sleeper() -> None:
        before = time.monotonic()
        time.sleep(3600)
        seen.append(time.monotonic() - before)

    started = real.monotonic()
    thread = threading.Thread(target=sleeper)
    thread.start()
    thread.join()
    assert seen == [3600.0]
    assert real.monotonic() - started < hang_bound("short")


@virtual_time
def test_the_tests_own_sleep_moves_every_clock_by_exactly_its_length() -> None:
    """monotonic, perf_counter and time move by the sleep; monotonic starts at 0.0."""
    assert time.monotonic() == 0.0
    wall = time.time()
    time.sleep(0.1)
    time.sleep(86400)
    assert time.monotonic() == 0.1 + 86400
    assert time.perf_counter() == 0.1 + 86400
    assert time.time() - wall == pytest.approx(86400.1)
    assert time.monotonic_ns() == 86400_100_000_000


@virtual_time
def test_timed_waits_of_several_threads_wake_in_deadline_order() -> None:
    """Threads sleeping 3, 1 and 2 s (and one waiting on an Event for 1.5 s) wake in deadline
    order, each at its deadline."""
    woke: list[tuple[str, float]] = []
    never = threading.Event()

    def sleeper(name: str, seconds: float) -> None:
        time.sleep(seconds)
        woke.append((name, time.monotonic()))

    def event_waiter() -> None:
        assert not never.wait(1.5)
        woke.append(("event", time.monotonic()))

    threads = [threading.Thread(target=sleeper, args=(n, s)) for n, s in [("a", 3), ("b", 1)]]
    threads += [
        threading.Thread(target=event_waiter),
        threading.Thread(target=sleeper, args=("c", 2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [name for name, _ in woke] == ["b", "event", "c", "a"]
    # Each at its deadline, plus the real time threads took to start while a deadline was
    # pending (microseconds, more on a loaded machine).
    for (_, at), deadline in zip(woke, [1, 1.5, 2, 3], strict=True):
        assert deadline <= at < deadline + 0.5


@virtual_time
def test_a_condition_wait_reports_its_timeout_exactly() -> None:
    """Condition.wait(0.1) with nobody to notify returns False exactly 0.1 s later."""
    condition = threading.Condition()
    with condition:
        before = time.monotonic()
        assert condition.wait(0.1) is False
        assert time.monotonic() - before == 0.1


@virtual_time
def test_a_queue_get_reports_its_timeout_exactly() -> None:
    """queue.Queue.get(timeout=2.5) on an empty queue raises Empty exactly 2.5 s later; a put
    by a thread after 1 s of its own sleep is got 1 s later (plus the real time the thread
    took to start, during which the get's deadline was pending: that time is real work)."""
    box: queue.Queue[str] = queue.Queue()
    with pytest.raises(queue.Empty):
        box.get(timeout=2.5)
    assert time.monotonic() == 2.5

    def late_put() -> None:
        time.sleep(1)
        box.put("late")

    thread = threading.Thread(target=late_put)
    thread.start()
    assert box.get(timeout=10) == "late"
    assert 3.5 <= time.monotonic() < 4
    thread.join()


@virtual_time
def test_locks_semaphores_barriers_and_joins_time_out_in_virtual_time() -> None:
    """Lock/RLock acquire, Semaphore, Queue.put, Barrier and Thread.join time out at their
    deadlines while another thread holds what they wait for."""
    lock, rlock, release = threading.Lock(), threading.RLock(), threading.Event()

    def holder() -> None:
        with lock, rlock:
            release.wait()

    thread = threading.Thread(target=holder)
    thread.start()
    while not lock.locked():  # cannot happen without a wait: the holder runs first
        time.sleep(0.001)
    start = time.monotonic()
    assert lock.acquire(timeout=5) is False
    assert rlock.acquire(timeout=5) is False
    assert threading.Semaphore(0).acquire(timeout=5) is False
    full: queue.Queue[int] = queue.Queue(maxsize=1)
    full.put(1)
    with pytest.raises(queue.Full):
        full.put(2, timeout=5)
    with pytest.raises(threading.BrokenBarrierError):
        threading.Barrier(2).wait(timeout=5)
    thread.join(timeout=5)
    assert thread.is_alive()
    assert time.monotonic() - start == 30
    release.set()
    thread.join()
    assert not thread.is_alive()


@virtual_time
def test_future_timeouts_are_virtual_for_a_pool_made_in_the_test() -> None:
    """result(timeout), wait(timeout) and as_completed(timeout) on work sleeping 100 s in a
    thread pool made in the test time out exactly; the result comes 100 s after submission."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        start = time.monotonic()
        slow = pool.submit(time.sleep, 100)
        with pytest.raises(concurrent.futures.TimeoutError):
            slow.result(timeout=5)
        done, pending = concurrent.futures.wait([slow], timeout=5)
        assert (done, pending) == (set(), {slow})
        with pytest.raises(concurrent.futures.TimeoutError):
            list(concurrent.futures.as_completed([slow], timeout=5))
        # Plus the real time the pool took to start its worker while the first timeout was
        # pending (real work: it holds the clock).
        assert 15 <= time.monotonic() - start < 15.5
        assert slow.result() is None
        assert 100 <= time.monotonic() - start < 100.5


@pytest.fixture
def pool_made_before() -> Iterator[concurrent.futures.ThreadPoolExecutor]:
    """A one-worker thread pool whose worker starts before the test's call (outside its
    bubble), as a library's module-level pool or a warm pool."""
    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="made-before")
    pool.submit(int).result(timeout=hang_bound("short"))
    yield pool
    pool.shutdown(wait=True)


@virtual_time
def test_work_submitted_to_a_pool_made_before_runs_in_the_bubble(
    pool_made_before: concurrent.futures.ThreadPoolExecutor,
) -> None:
    """The worker of a pool made outside the bubble runs each call submitted from the bubble
    as a guest of it: two calls sleeping 100 s each on its one worker take 200 virtual seconds
    and no real time; between calls the worker is outside again."""
    real_start = real.monotonic()
    first = pool_made_before.submit(time.sleep, 100)
    second = pool_made_before.submit(time.monotonic)
    assert first.result(timeout=1000) is None
    assert 100 <= second.result(timeout=1000) < 100.5
    assert 100 <= time.monotonic() < 100.5
    assert real.monotonic() - real_start < hang_bound("short")
    bubble = current_bubble()
    assert bubble is not None
    _until(lambda: bubble.snapshot()["members"] == 1)  # the guest has left: the test alone


@virtual_time
@pytest.mark.loop_flavours("virtual")
async def test_the_loop_awaits_work_on_a_pool_made_before_in_virtual_time(
    pool_made_before: concurrent.futures.ThreadPoolExecutor,
) -> None:
    """run_in_executor on a pool made before the test (as asgiref's sync_to_async does): the
    call sleeps 100 virtual seconds as a guest, and the loop wakes when its result is in, with
    no deadlock reported between the call's end and the loop's wake-up."""
    loop = asyncio.get_running_loop()
    real_start, start = real.monotonic(), loop.time()
    for _ in range(50):
        await loop.run_in_executor(pool_made_before, time.sleep, 2)
    assert 100 <= loop.time() - start < 100.5
    assert real.monotonic() - real_start < hang_bound("short")


@virtual_time
@pytest.mark.loop_flavours("virtual")
async def test_the_virtual_loop_and_its_threads_read_one_clock() -> None:
    """asyncio.sleep, run_in_executor(time.sleep) and to_thread(time.sleep) add up exactly on
    loop.time() and time.monotonic() alike, and a thread's sleep and a timer interleave by
    deadline."""
    loop = asyncio.get_running_loop()
    start_loop, start = loop.time(), time.monotonic()
    await asyncio.sleep(5)
    await loop.run_in_executor(None, time.sleep, 10)
    await asyncio.to_thread(time.sleep, 7)
    assert loop.time() - start_loop == 22
    assert time.monotonic() - start == 22

    order: list[str] = []

    def thread_side() -> None:
        time.sleep(2)
        loop.call_soon_threadsafe(order.append, "thread after 2 s")

    thread = threading.Thread(target=thread_side)
    thread.start()
    await asyncio.sleep(1)
    order.append("loop after 1 s")
    await asyncio.sleep(2)
    order.append("loop after 3 s")
    await asyncio.to_thread(thread.join)
    assert order == ["loop after 1 s", "thread after 2 s", "loop after 3 s"]
    assert 25 <= loop.time() - start_loop < 25.5  # plus the thread's real start-up


# --- honesty ---------------------------------------------------------------------------------


@virtual_time
def test_cpu_work_in_a_thread_holds_the_clock() -> None:
    """While a thread computes, a timed wait is not jumped over: the virtual time it lasts is
    at least the real time the work took; a join with a shorter timeout really waits."""
    took: list[float] = []
    waiting = _waiting(1)

    def work() -> None:
        _until(waiting)  # the test is inside its timed join
        took.append(_spin(0.3))

    thread = threading.Thread(target=work)
    start = time.monotonic()
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert time.monotonic() - start >= took[0] >= 0.3

    spinner = threading.Thread(target=_spin, args=(0.6,))
    spinner.start()
    real_start, start = real.monotonic(), time.monotonic()
    spinner.join(timeout=0.2)
    assert spinner.is_alive()
    assert real.monotonic() - real_start >= 0.2
    assert time.monotonic() - start >= 0.2
    spinner.join()


@virtual_time
def test_real_socket_io_in_a_thread_holds_the_clock() -> None:
    """A thread blocked in a real recv holds the clock: the test's sleep takes real time."""
    left, right = socket.socketpair()
    got: list[bytes] = []
    with left, right:
        thread = threading.Thread(target=lambda: got.append(right.recv(16)))
        thread.start()
        real_start, start = real.monotonic(), time.monotonic()
        time.sleep(0.2)
        real_slept = real.monotonic() - real_start
        left.sendall(b"hello")
        thread.join(timeout=60)
    assert got == [b"hello"]
    assert real_slept >= 0.2
    assert time.monotonic() - start >= 0.2


Outsider = tuple["queue.SimpleQueue[str]", "queue.SimpleQueue[tuple[float, float, type]]"]


@pytest.fixture
def outsider() -> Iterator[Outsider]:
    """A thread started by a fixture, so outside the test's bubble: asked "look", it answers
    the real clock, the clock it reads, and the type of a lock it makes."""
    ask: queue.SimpleQueue[str] = queue.SimpleQueue()
    answers: queue.SimpleQueue[tuple[float, float, type]] = queue.SimpleQueue()

    def answer() -> None:
        while ask.get() == "look":
            answers.put((real.monotonic(), time.monotonic(), type(threading.Lock())))

    thread = threading.Thread(target=answer, name="outsider")
    thread.start()
    yield ask, answers
    ask.put("stop")
    thread.join(hang_bound("short"))


@virtual_time
def test_a_thread_outside_the_bubble_sees_the_real_clock_and_real_primitives(
    outsider: Outsider,
) -> None:
    """A thread started before the test's call (so outside its bubble) reads the real clock
    and makes the original primitives, while the test's own clock is virtual."""
    ask, answers = outsider
    time.sleep(1000)
    ask.put("look")
    real_now, its_now, lock_type = answers.get(timeout=hang_bound("short"))
    assert abs(its_now - real_now) < 1
    assert lock_type is type(real.allocate_lock())
    assert time.monotonic() == 1000


def _process_pool() -> concurrent.futures.ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    return concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(method))


@virtual_time
def test_process_pool_work_holds_the_clock_until_it_is_done() -> None:
    """A process pool is outside the bubble: the clock waits for its work. A wait shorter than
    the work really waits and times out; the result comes after at least the real time."""
    with _process_pool() as pool:
        pool.submit(int).result(timeout=60)  # the worker has started
        real_start, start = real.monotonic(), time.monotonic()
        work = pool.submit(time.sleep, 0.5)
        done, _ = concurrent.futures.wait([work], timeout=0.1)
        assert not done
        assert real.monotonic() - real_start >= 0.1
        work.result(timeout=60)
        assert time.monotonic() - start >= real.monotonic() - real_start - 0.05 >= 0.45


def _report_from_a_child(pipe: multiprocessing.connection.Connection) -> None:
    before = time.monotonic()
    time.sleep(0.01)
    pipe.send((time.monotonic() - before, type(threading.Lock()).__module__))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
@virtual_time
def test_a_child_forked_in_the_bubble_is_outside_it() -> None:
    """A process forked from a thread of the bubble gets the originals: its sleep is real and
    its locks are the interpreter's own (and the fork does not deadlock)."""
    reading, writing = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_report_from_a_child, args=(writing,)
    )
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    slept, lock_module = reading.recv()
    assert slept >= 0.01
    assert lock_module == "_thread"


# --- deadlocks, the hang guard, and what the switch changes -----------------------------------


@virtual_time
def test_a_deadlock_is_reported_at_once_with_every_threads_stack() -> None:
    """Two threads each waiting for the other's lock, and the test joining them: the join
    raises BubbleDeadlock at once, naming both threads' frames."""
    first, second = threading.Lock(), threading.Lock()
    both = threading.Barrier(2)

    def take(mine: threading.Lock, theirs: threading.Lock) -> None:
        with mine:
            both.wait()
            try:
                theirs.acquire()
            except BubbleDeadlock:
                return

    threads = [
        threading.Thread(target=take, args=(first, second), name="takes-first"),
        threading.Thread(target=take, args=(second, first), name="takes-second"),
    ]
    real_start = real.monotonic()
    for thread in threads:
        thread.start()
    with pytest.raises(BubbleDeadlock) as caught:
        threads[0].join()
    # The two threads get BubbleDeadlock too when the test's call ends, and return.
    text = str(caught.value)
    assert "no deadline is pending" in text
    assert "--- thread 'takes-first' (waiting)" in text
    assert "--- thread 'takes-second' (waiting)" in text
    assert "theirs.acquire()" in text
    assert "threads[0].join()" in text
    assert real.monotonic() - real_start < hang_bound("short")


def test_without_the_marker_nothing_is_patched() -> None:
    """An unmarked test sees the original functions and types."""
    assert all(patches.originals_in_place().values())
    assert time.sleep is real.sleep
    assert time.monotonic is real.monotonic
    assert threading.Lock is real.Lock
    assert threading.Condition is real.Condition
    assert threading.Thread.start is real.thread_start
    assert queue.SimpleQueue is real.SimpleQueue
    assert concurrent.futures.ThreadPoolExecutor.submit.__module__ == "concurrent.futures.thread"
    assert current_bubble() is None


@virtual_time
def test_with_the_marker_the_originals_are_replaced_for_the_call_only() -> None:
    """A marked test's call sees the replacements; the test above (and every test after)
    sees the originals again."""
    assert not any(patches.originals_in_place().values())
    assert current_bubble() is not None


@virtual_time
def test_the_replacements_pass_for_the_classes_they_stand_for() -> None:
    """isinstance and issubclass answer for locks, conditions and queues made in the bubble
    and before it, as without the bubble."""
    made_before = [real.allocate_lock(), real.RLock(), real.Condition(), real.SimpleQueue()]
    made_here = [threading.Lock(), threading.RLock(), threading.Condition(), queue.SimpleQueue()]
    kinds = [threading.Lock, threading.RLock, threading.Condition, queue.SimpleQueue]
    for before, here, kind in zip(made_before, made_here, kinds, strict=True):
        assert isinstance(before, kind)
        assert isinstance(here, kind)
        assert type(before) is not type(here)
    assert not isinstance(threading.Lock(), threading.Condition)
    assert issubclass(real.Condition, threading.Condition)


def test_a_bubble_puts_everything_back_and_leaves_no_thread_behind() -> None:
    """After a bubble whose threads ended, every original is back and no member is left."""
    with thread_virtual_time() as bubble:
        threads = [threading.Thread(target=time.sleep, args=(s,)) for s in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert all(patches.originals_in_place().values())
    assert bubble.snapshot()["members"] == 1  # the test's own thread, which ended it
    assert bubble.snapshot()["waiting"] == 0


def test_only_a_virtual_loop_can_join() -> None:
    """Joining another loop is a TypeError that names the flavour to use."""
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(TypeError, match="VirtualTimeEventLoop"), thread_virtual_time(loop):
            pass
    finally:
        loop.close()
    assert all(patches.originals_in_place().values())
    virtual = VirtualTimeEventLoop()
    try:
        with thread_virtual_time(virtual):
            assert virtual.time() == 0.0
    finally:
        virtual.close()


# --- through pytest ---------------------------------------------------------------------------


def test_an_async_test_on_another_flavour_is_skipped_with_the_reason(
    pytester: pytest.Pytester,
) -> None:
    """The marker on an async test run on asyncio and virtual: the virtual run passes, the
    asyncio run is skipped, saying which flavour to use."""
    pytester.makepyfile(
        """
        import asyncio, time, pytest

        @pytest.mark.asyncio
        @pytest.mark.thread_virtual_time
        @pytest.mark.loop_flavours("asyncio", "virtual")
        async def test_sleeps():
            await asyncio.to_thread(time.sleep, 60)
            assert time.monotonic() == 60
        """
    )
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*joins only the 'virtual' loop flavour*'asyncio'*"])


def test_the_option_puts_every_test_in_a_bubble(pytester: pytest.Pytester) -> None:
    """--thread-virtual-time=on (or its ini twin) works as the marker on every test."""
    pytester.makepyfile(
        """
        import time

        def test_sleeps():
            time.sleep(600)
            assert time.monotonic() == 600
        """
    )
    pytester.runpytest("--thread-virtual-time=on").assert_outcomes(passed=1)
    pytester.runpytest("-o", "thread_virtual_time=on").assert_outcomes(passed=1)
    result = pytester.runpytest("--thread-virtual-time=maybe")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown --thread-virtual-time 'maybe'; accepted: on, off*"])


def test_a_monkeypatch_made_in_the_bubble_does_not_leave_replacements_behind(
    pytester: pytest.Pytester,
) -> None:
    """monkeypatch.setattr(time, "sleep", ...) during a marked test saves the bubble's sleep
    and puts it back at teardown; the plugin puts the original back, says so, and the next
    test sees the originals."""
    pytester.makepyfile(
        """
        import time, pytest
        from pytest_concurrency.thread_time import patches

        @pytest.mark.thread_virtual_time
        def test_patches_sleep(monkeypatch):
            monkeypatch.setattr(time, "sleep", lambda seconds: None)

        def test_after():
            assert all(patches.originals_in_place().values())
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(["*time.sleep held thread virtual time's replacements*"])


def test_the_hang_guard_still_fires_on_real_time(pytester: pytest.Pytester) -> None:
    """A sleep held back by a thread that computes for ever runs on the real clock, and the
    hang guard's real bound ends it, with the computing thread's stack."""
    pytester.makepyfile(
        """
        import threading, time, pytest

        @pytest.mark.thread_virtual_time
        @pytest.mark.hang_guard(0.5)
        def test_held():
            stop = threading.Event()

            def compute():
                while not stop.is_set():
                    pass

            worker = threading.Thread(target=compute, name="computes")
            worker.start()
            try:
                time.sleep(3600)
            finally:
                stop.set()
                worker.join()
        """
    )
    real_start = real.monotonic()
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ran out its bound of 0.5 s*", "*--- thread 'computes'*"])
    assert 0.5 <= real.monotonic() - real_start < hang_bound("medium")


@virtual_time
def test_a_loop_run_in_a_thread_of_the_bubble_joins_it() -> None:
    """asyncio.run in a thread (as asgiref's async_to_sync does) runs a virtual loop on the
    bubble's clock: its sleep of an hour takes no real time and moves the test's clock."""
    seen: list[float] = []

    async def nap() -> None:
        loop = asyncio.get_running_loop()
        before = loop.time()
        await asyncio.sleep(3600)
        await asyncio.to_thread(time.sleep, 60)
        seen.append(loop.time() - before)

    real_start = real.monotonic()
    thread = threading.Thread(target=asyncio.run, args=(nap(),))
    thread.start()
    thread.join()
    assert seen == [3660.0]
    assert time.monotonic() >= 3660
    assert real.monotonic() - real_start < hang_bound("short")
