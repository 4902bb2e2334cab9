"""The note's asyncio "hello world": say something, wait ten seconds, say something else.

The waiting is ``await asyncio.sleep(10)``: the coroutine is suspended and the loop has
nothing else to do. On virtual time the ten seconds pass at once, and exactly.
"""

import asyncio

import pytest

from pytest_concurrency import loop_stopwatch


async def greet(said):
    loop = asyncio.get_running_loop()
    said.append((loop.time(), "Hello ..."))
    await asyncio.sleep(10)
    said.append((loop.time(), "... World!"))


@pytest.mark.claim("EX-6", verdict="holds")
@pytest.mark.loop_flavours("virtual")
async def test_the_second_greeting_comes_ten_loop_seconds_after_the_first():
    """The first line is said at once, the second exactly ten loop seconds later."""
    said = []

    with loop_stopwatch() as elapsed:
        await greet(said)

    assert said == [(0.0, "Hello ..."), (10.0, "... World!")]
    assert elapsed.seconds == 10.0
