"""Virtual time: the clock jumps over idle waits, and holds while real work is in flight."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from pytest_concurrency import LatencyServer, VirtualTimeEventLoop, loop_stopwatch, wait_until


@pytest.fixture
def loop() -> Iterator[VirtualTimeEventLoop]:
    """A virtual-time loop used directly, without pytest-asyncio."""
    made = VirtualTimeEventLoop()
    yield made
    made.close()


# --- the loop on its own --------------------------------------------------------------------


def test_the_clock_starts_at_zero(loop: VirtualTimeEventLoop) -> None:
    """A new virtual loop reads 0.0."""
    assert loop.time() == 0.0


def test_a_sleep_advances_the_clock_by_exactly_its_delay(loop: VirtualTimeEventLoop) -> None:
    """Sleeping 10 s moves the clock by exactly 10.0, however long the sleep really took."""
    loop.run_until_complete(asyncio.sleep(10))
    assert loop.time() == 10.0


def test_timers_fire_in_deadline_order_at_their_deadlines(loop: VirtualTimeEventLoop) -> None:
    """Callbacks scheduled out of order fire in deadline order, each at its own time."""
    fired: list[tuple[str, float]] = []
    done = loop.create_future()
    for name, delay in [("c", 3.0), ("a", 1.0), ("b", 2.0), ("a2", 1.0)]:
        loop.call_later(delay, lambda name=name: fired.append((name, loop.time())))
    loop.call_later(4.0, done.set_result, None)
    loop.run_until_complete(done)
    assert fired == [("a", 1.0), ("a2", 1.0), ("b", 2.0), ("c", 3.0)]


def test_sleeping_tasks_wake_in_order_of_their_deadlines(loop: VirtualTimeEventLoop) -> None:
    """Tasks started together wake shortest sleep first; the clock shows each deadline."""
    woke: list[tuple[float, float]] = []

    async def sleeper(delay: float) -> None:
        await asyncio.sleep(delay)
        woke.append((delay, loop.time()))

    async def main() -> None:
        await asyncio.gather(sleeper(2.5), sleeper(0.5), sleeper(1.5))

    loop.run_until_complete(main())
    assert woke == [(0.5, 0.5), (1.5, 1.5), (2.5, 2.5)]


def test_running_code_costs_no_virtual_time(loop: VirtualTimeEventLoop) -> None:
    """Between two waits the clock stands still, so elapsed time is the sum of the delays."""

    async def main() -> list[float]:
        readings = [loop.time()]
        sum(range(200_000))  # real work, no wait
        readings.append(loop.time())
        await asyncio.sleep(1.25)
        await asyncio.sleep(0.75)
        readings.append(loop.time())
        return readings

    assert loop.run_until_complete(main()) == [0.0, 0.0, 2.0]


def test_a_timeout_fires_at_exactly_its_virtual_deadline(loop: VirtualTimeEventLoop) -> None:
    """wait_for around a longer sleep times out when the clock reaches the timeout."""

    async def main() -> None:
        await asyncio.wait_for(asyncio.sleep(100), timeout=5)

    with pytest.raises(asyncio.TimeoutError):
        loop.run_until_complete(main())
    assert loop.time() == 5.0


def test_the_clock_holds_while_executor_work_is_in_flight(loop: VirtualTimeEventLoop) -> None:
    """A run_in_executor call blocked on a thread's event does not let a 60 s timeout pass."""
    started, release = threading.Event(), threading.Event()

    def blocking_call() -> str:
        started.set()
        release.wait()
        return "released"

    def releaser() -> None:
        started.wait()
        release.set()

    async def main() -> str:
        call = loop.run_in_executor(None, blocking_call)
        return await asyncio.wait_for(call, timeout=60)

    helper = threading.Thread(target=releaser)
    helper.start()
    try:
        assert loop.run_until_complete(main()) == "released"
    finally:
        release.set()
        helper.join()
        loop.run_until_complete(loop.shutdown_default_executor())
    assert loop.time() < 60  # real seconds waited, far from the timeout


def test_the_clock_holds_while_a_socket_is_awaited(loop: VirtualTimeEventLoop) -> None:
    """A read from a held HTTP server does not let a 60 s timeout pass."""
    with LatencyServer() as server:
        server.hold()

        def release_once_arrived() -> None:
            wait_until(lambda: server.in_flight == 1, what="the request arrived")
            server.release()

        async def fetch() -> bytes:
            host, port = server.url().removeprefix("http://").rstrip("/").split(":")
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(b"GET /held HTTP/1.0\r\nHost: x\r\n\r\n")
            try:
                return await asyncio.wait_for(reader.read(), timeout=60)
            finally:
                writer.close()
                await writer.wait_closed()

        helper = threading.Thread(target=release_once_arrived)
        helper.start()
        try:
            response = loop.run_until_complete(fetch())
        finally:
            server.release()
            helper.join()
    assert response.endswith(b"body of /held\n")
    assert loop.time() < 60


# --- under pytest-asyncio, with the virtual flavour -----------------------------------------


def test_a_ten_second_sleep_takes_no_real_time_and_exactly_ten_loop_seconds(
    pytester: pytest.Pytester,
) -> None:
    """Under --loop-flavours=virtual a 10 s sleep passes at once and the loop sees 10.0 s."""
    pytester.makepyfile(
        """
        import asyncio
        from pytest_concurrency import loop_stopwatch

        async def test_sleep():
            with loop_stopwatch() as elapsed:
                await asyncio.sleep(10)
            assert elapsed.seconds == 10.0
        """
    )
    reprec = pytester.inline_run("--loop-flavours=virtual")
    reprec.assertoutcome(passed=1)
    (call,) = [r for r in reprec.getreports("pytest_runtest_logreport") if r.when == "call"]
    assert call.duration < 1.0


@pytest.mark.loop_flavours("virtual")
async def test_the_stopwatch_sums_the_delays_awaited_in_its_block() -> None:
    """loop_stopwatch measures loop seconds: exact sums under virtual time."""
    await asyncio.sleep(1)  # before the block: not counted
    with loop_stopwatch() as elapsed:
        await asyncio.sleep(1.5)
        assert elapsed.seconds == 1.5  # read inside the block: so far
        await asyncio.sleep(4.5)
    await asyncio.sleep(3)  # after the block: not counted
    assert elapsed.seconds == 6.0


@pytest.mark.loop_flavours("virtual")
async def test_to_thread_work_is_waited_for_in_real_time() -> None:
    """asyncio.to_thread is run_in_executor underneath: the clock holds for it too."""
    started, release = threading.Event(), threading.Event()

    def blocking_call() -> int:
        started.set()
        release.wait()
        return 7

    def releaser() -> None:
        started.wait()
        release.set()

    helper = threading.Thread(target=releaser)
    helper.start()
    try:
        assert await asyncio.wait_for(asyncio.to_thread(blocking_call), timeout=60) == 7
    finally:
        release.set()
        helper.join()
    assert asyncio.get_running_loop().time() < 60
