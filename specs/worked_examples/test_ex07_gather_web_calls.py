"""The note's gather example: three simulated web calls, each taking a random time.

What the example shows, checked here for any delays hypothesis draws:

* every request is sent before any response arrives (the calls run concurrently),
* the responses arrive in order of their delays,
* gather's results come back in argument order all the same,
* the whole takes as long as the slowest call: exactly, on virtual time.

The example keeps what gather returns in a variable called ``task``; it is a future (a
``_GatheringFuture``), not a ``Task``.
"""

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_concurrency import loop_stopwatch

NOTE = "holds; the example calls gather's result a task, but it is a plain future, not a Task"
URLS = ["https://api.example/users", "https://api.example/posts", "https://api.example/tags"]

# Distinct delays under a second, in multiples of 1/1024 s: sums of such numbers are exact in
# binary floating point, so loop times compare with ==; distinct, so no two responses tie.
delays_strategy = st.lists(
    st.integers(min_value=1, max_value=1023), min_size=3, max_size=3, unique=True
).map(lambda units: [unit / 1024 for unit in units])


async def call_web_api(url, delay, events):
    events.append(f"request {url}")
    await asyncio.sleep(delay)  # the network, simulated
    events.append(f"response {url}")
    return url


@pytest.mark.claim("EX-7", verdict="holds", note=NOTE)
@pytest.mark.loop_flavours("virtual")
@settings(max_examples=20)  # an illustration, not a search: 20 draws keep it quick
@given(delays=delays_strategy)
async def test_gather_sends_every_request_first_and_returns_in_argument_order(delays):
    """All requests go out before the first response; responses arrive fastest first; the
    results follow the arguments; the total is the longest delay."""
    events = []

    with loop_stopwatch() as elapsed:
        results = await asyncio.gather(
            *(call_web_api(url, delay, events) for url, delay in zip(URLS, delays, strict=True))
        )

    by_arrival = [url for _, url in sorted(zip(delays, URLS, strict=True))]
    assert events == [f"request {url}" for url in URLS] + [f"response {url}" for url in by_arrival]
    assert results == URLS
    assert elapsed.seconds == max(delays)


@pytest.mark.claim("EX-7", verdict="holds", note=NOTE)
async def test_what_gather_returns_is_a_future_not_a_task():
    """gather wraps each coroutine in a Task, but returns one future gathering them, which is
    not itself a Task."""
    gathering = asyncio.gather(call_web_api(URLS[0], 0, []))

    kinds = (isinstance(gathering, asyncio.Future), isinstance(gathering, asyncio.Task))
    await gathering

    assert kinds == (True, False)
