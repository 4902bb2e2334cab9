"""Shared state between tasks: one thread, so no step is ever interrupted, but awaits are.

Every task of a loop runs on the loop's thread, and a task is only ever switched out at an
``await`` that suspends. A read-modify-write with no ``await`` inside is therefore atomic
without a lock. One that awaits between the read and the write can be interleaved, and loses
updates exactly as threads do; there an ``asyncio.Lock`` is needed.
"""

import asyncio
import threading

import pytest

ALL_FLAVOURS = ("asyncio", "debug", "eager", "virtual", "uvloop")

pytestmark = pytest.mark.loop_flavours(*ALL_FLAVOURS)


@pytest.mark.claim(
    "AIO-6",
    verdict="holds",
    note="every task runs on the loop's one thread, so a step with no await inside needs no "
    "lock; safe only between awaits (see the lost update below)",
)
@pytest.mark.contract
async def test_all_tasks_run_on_the_loop_thread_and_unbroken_updates_are_never_lost():
    """Many tasks incrementing a shared counter, with a suspension between increments but
    none inside one, never lose an update, and they all run on a single thread."""
    counter = {"value": 0}
    threads = set()

    async def increment_many(times):
        threads.add(threading.get_ident())
        for _ in range(times):
            counter["value"] += 1  # read, add, write: no await, so nothing can interleave
            await asyncio.sleep(0)

    await asyncio.gather(*(increment_many(100) for _ in range(10)))

    assert counter["value"] == 1000
    assert threads == {threading.get_ident()}


@pytest.mark.claim(
    "AIO-6",
    verdict="holds",
    note="a read-modify-write that awaits between read and write is interleaved and loses "
    "updates, single thread or not",
)
@pytest.mark.contract
async def test_an_await_between_read_and_write_loses_updates():
    """Three tasks each read the counter, suspend, then write back what they read plus one:
    all three read 0, so the counter ends at 1, not 3."""
    counter = {"value": 0}
    events = []

    async def increment(name):
        seen = counter["value"]
        events.append(f"{name} reads {seen}")
        await asyncio.sleep(0)  # another task runs between our read and our write
        counter["value"] = seen + 1
        events.append(f"{name} writes {seen + 1}")

    await asyncio.gather(*(increment(name) for name in "abc"))

    assert counter["value"] == 1
    assert events == [
        "a reads 0",
        "b reads 0",
        "c reads 0",
        "a writes 1",
        "b writes 1",
        "c writes 1",
    ]


@pytest.mark.claim(
    "AIO-6",
    verdict="holds",
    note="across an await, an asyncio.Lock is what keeps the update whole",
)
@pytest.mark.contract
async def test_an_asyncio_lock_around_the_awaiting_update_keeps_every_increment():
    """Holding an asyncio.Lock from read to write makes the other tasks wait their turn."""
    counter = {"value": 0}
    lock = asyncio.Lock()

    async def increment():
        async with lock:
            seen = counter["value"]
            await asyncio.sleep(0)
            counter["value"] = seen + 1

    await asyncio.gather(*(increment() for _ in range(3)))

    assert counter["value"] == 3


@pytest.mark.claim(
    "AIO-6",
    verdict="holds",
    note="explored in ready-callback mode: an update awaiting asyncio.sleep(0) between read and "
    "write is lost in 12 of the 20 orders of the ready callbacks; under an asyncio.Lock in none",
)
@pytest.mark.contract
@pytest.mark.loop_flavours("ready-callback")
async def test_every_order_of_ready_callbacks_loses_an_awaiting_update_unless_locked():
    """The loop runs one chosen ready callback at a time, every choice in turn: only real
    suspensions are switch points. Across await asyncio.sleep(0), 12 of the 20 orders lose an
    update; holding an asyncio.Lock across it, no order does."""
    from pytest_concurrency.exploration import explore_ready

    def increments(locked):
        async def scenario():
            counter = {"value": 0}
            lock = asyncio.Lock()

            async def increment():
                if locked:
                    await lock.acquire()
                seen = counter["value"]
                await asyncio.sleep(0)
                counter["value"] = seen + 1
                if locked:
                    lock.release()

            await asyncio.gather(increment(), increment())
            return counter["value"]

        return scenario

    unlocked = await explore_ready(increments(locked=False))
    locked = await explore_ready(increments(locked=True))

    assert (unlocked.schedules, unlocked.outcomes) == (20, {1: 12, 2: 8})
    assert locked.schedules > 0
    assert set(locked.outcomes) == {2}
