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
