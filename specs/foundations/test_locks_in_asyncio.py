"""asyncio needs fewer locks: a task is only ever interrupted at an ``await``.

One event loop runs one task at a time and switches tasks only where the running task awaits
something that is not ready. A read-modify-write with no ``await`` between the read and the
write therefore runs whole, with no lock; put an ``await`` in between and another task can run
there, and the update is lost, exactly as with threads; ``asyncio.Lock`` then restores it.
The specs run on every loop flavour, including eager tasks and uvloop.
"""

import asyncio

import pytest

pytestmark = pytest.mark.loop_flavours("asyncio", "debug", "eager", "virtual", "uvloop")


@pytest.mark.claim("BAS-13", verdict="holds")
async def test_a_read_modify_write_with_no_await_inside_is_never_interleaved():
    """Two tasks each read the shared count and write it back plus one, with no await in
    between: each runs its read and write together, and both updates arrive."""
    shared = {"count": 0}
    events = []

    async def increment(who):
        seen = shared["count"]
        events.append(f"{who} reads")
        shared["count"] = seen + 1
        events.append(f"{who} writes")

    await asyncio.gather(increment("a"), increment("b"))

    assert events == ["a reads", "a writes", "b reads", "b writes"]
    assert shared["count"] == 2


@pytest.mark.claim("BAS-13", verdict="holds")
async def test_an_await_between_read_and_write_lets_another_task_in_and_loses_an_update():
    """With an await between the read and the write, the loop runs the other task there:
    both read 0, both write 1."""
    shared = {"count": 0}
    events = []

    async def increment(who):
        seen = shared["count"]
        events.append(f"{who} reads")
        await asyncio.sleep(0)
        shared["count"] = seen + 1
        events.append(f"{who} writes")

    await asyncio.gather(increment("a"), increment("b"))

    assert events == ["a reads", "b reads", "a writes", "b writes"]
    assert shared["count"] == 1


@pytest.mark.claim("BAS-13", verdict="holds")
async def test_an_asyncio_lock_keeps_a_read_modify_write_with_an_await_whole():
    """Where an await must sit inside, an asyncio.Lock keeps the other task out until the
    write is done."""
    shared = {"count": 0}
    events = []
    lock = asyncio.Lock()

    async def increment(who):
        async with lock:
            seen = shared["count"]
            events.append(f"{who} reads")
            await asyncio.sleep(0)
            shared["count"] = seen + 1
            events.append(f"{who} writes")

    await asyncio.gather(increment("a"), increment("b"))

    assert events == ["a reads", "a writes", "b reads", "b writes"]
    assert shared["count"] == 2


@pytest.mark.claim(
    "BAS-13",
    verdict="holds",
    note="explored: with no await inside the update, 0 of 2 task orders lose an update; with "
    "an await inside, 4 of 6; with a lock held across it, 0 of 2",
)
async def test_task_orders_lose_an_update_only_across_an_await():
    """Each point where a task could be switched out is a step. A read and write with no await
    between them is one step: no order loses anything. An await between them makes two steps,
    and four of the six orders lose an update, unless a lock holds across the await."""
    from pytest_concurrency import explore_async

    def increments(split, locked):
        async def scenario(steps):
            shared = {"count": 0}
            lock = steps.lock("count")

            async def increment(who):
                if locked:
                    await lock.acquire()
                if split:
                    async with steps.step(f"{who} reads"):
                        seen = shared["count"]
                    async with steps.step(f"{who} writes"):  # after the await
                        shared["count"] = seen + 1
                else:
                    async with steps.step(f"{who} updates"):
                        shared["count"] += 1
                if locked:
                    lock.release()

            await steps.run_tasks(increment, "a", "b")
            return shared["count"]

        return scenario

    whole = await explore_async(increments(split=False, locked=False))
    split = await explore_async(increments(split=True, locked=False))
    locked = await explore_async(increments(split=True, locked=True))

    assert (whole.schedules, whole.outcomes) == (2, {2: 2})
    assert (split.schedules, split.outcomes) == (6, {1: 4, 2: 2})
    assert (locked.schedules, locked.outcomes) == (2, {2: 2})
