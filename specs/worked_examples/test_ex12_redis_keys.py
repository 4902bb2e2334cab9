"""The note's Redis example: fetch values one key at a time, with async for.

Two shapes of the same idea, against a real ``redis-server``:

* a class with a plain ``__aiter__`` and an ``async def __anext__`` that awaits one ``GET`` per
  step and turns the key list's ``StopIteration`` into ``StopAsyncIteration``;
* an async generator that awaits the same ``GET`` and yields each value.

Either way each ``GET`` suspends the iterating task until Redis answers, and the loop runs
other tasks meanwhile.

The note imports ``create_redis`` from ``aioredis``. That package is abandoned: its code was
merged into redis-py 4.2 as ``redis.asyncio``, and ``create_redis`` (the aioredis 1.x entry
point) has no counterpart there; a client is ``redis.asyncio.Redis(...)`` or
``redis.asyncio.from_url(...)``, closed with ``await client.aclose()``. Its values are bytes
unless ``decode_responses=True``, and the note's ``main`` never stores the keys it reads, so
it would get ``None`` for each.
"""

import asyncio

import pytest

from pytest_concurrency import hang_bound

redis_asyncio = pytest.importorskip("redis.asyncio", reason="the redis package (>= 4.2)")

NEVER_STORED = (
    "async iteration over Redis works as shown; the note never stores the keys it reads, so "
    "every value it gets would be None"
)
AIOREDIS_IS_GONE = (
    "the note's client, aioredis with create_redis, is abandoned: it was merged into redis-py "
    "4.2+ as redis.asyncio, which has no create_redis"
)
KEYS = ["north", "south", "east", "west"]


class OneAtATime:
    """Values of `keys`, fetched from Redis one GET per step."""

    def __init__(self, client, keys):
        self.client = client
        self.keys = keys

    def __aiter__(self):
        self.remaining = iter(self.keys)
        return self

    async def __anext__(self):
        try:
            key = next(self.remaining)
        except StopIteration:
            raise StopAsyncIteration from None
        return await self.client.get(key)


async def one_at_a_time(client, keys):
    """The same, as an async generator."""
    for key in keys:
        yield await client.get(key)


class Watched:
    """Wraps a client to record when each GET is sent and answered, and to tell another task
    that the first GET is on its way."""

    def __init__(self, client, events):
        self.client = client
        self.events = events
        self.first_get_sent = asyncio.Event()

    async def get(self, key):
        self.events.append(f"GET {key} sent")
        self.first_get_sent.set()
        value = await self.client.get(key)
        self.events.append(f"GET {key} answered")
        return value


async def other_work(watched, events):
    await watched.first_get_sent.wait()  # bounded: the test awaits this task with a timeout
    events.append("another task runs")


EXPECTED_EVENTS = [
    "GET north sent",
    "another task runs",  # while the first GET waits for Redis
    "GET north answered",
    "GET south sent",
    "GET south answered",
    "GET east sent",
    "GET east answered",
    "GET west sent",
    "GET west answered",
]


@pytest.mark.claim("EX-12", verdict="holds", note=NEVER_STORED)
async def test_the_async_iterator_class_fetches_one_key_per_step_while_others_run(
    redis_server,
):
    """async for over the class gives the values in key order, one GET per step; another task
    runs while the first GET waits."""
    client = redis_asyncio.Redis(host=redis_server.host, port=redis_server.port)
    try:
        await client.mset({key: key.upper() for key in KEYS})
        events = []
        watched = Watched(client, events)
        other = asyncio.create_task(other_work(watched, events))

        values = [value async for value in OneAtATime(watched, KEYS)]
        await asyncio.wait_for(other, timeout=hang_bound())
    finally:
        await client.aclose()

    assert values == [b"NORTH", b"SOUTH", b"EAST", b"WEST"]
    assert events == EXPECTED_EVENTS


@pytest.mark.claim("EX-12", verdict="holds", note=NEVER_STORED)
async def test_the_async_generator_does_the_same_in_fewer_lines(redis_server):
    """The async generator gives the same values in the same steps; a key never stored comes
    back as None."""
    client = redis_asyncio.Redis(
        host=redis_server.host, port=redis_server.port, decode_responses=True
    )
    try:
        await client.mset({key: key.upper() for key in KEYS})
        events = []
        watched = Watched(client, events)
        other = asyncio.create_task(other_work(watched, events))

        values = [value async for value in one_at_a_time(watched, KEYS)]
        missing = [value async for value in one_at_a_time(client, ["never-stored"])]
        await asyncio.wait_for(other, timeout=hang_bound())
    finally:
        await client.aclose()

    assert values == ["NORTH", "SOUTH", "EAST", "WEST"]
    assert missing == [None]
    assert events == EXPECTED_EVENTS


@pytest.mark.claim("EX-19", verdict="erratum", note=AIOREDIS_IS_GONE)
@pytest.mark.library("redis", ">=4.2")
def test_redis_asyncio_replaces_aioredis_without_create_redis():
    """redis.asyncio (redis-py 4.2+) is where aioredis went; it offers Redis and from_url,
    not the create_redis the note calls."""
    assert hasattr(redis_asyncio, "Redis")
    assert hasattr(redis_asyncio, "from_url")
    assert not hasattr(redis_asyncio, "create_redis")
