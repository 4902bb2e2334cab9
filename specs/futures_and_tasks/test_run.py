"""asyncio.run: the entry point from synchronous code into asyncio.

``asyncio.run(coro)`` makes a new event loop, runs the coroutine on it to the end, cancels any
task still pending, closes the loop and returns the coroutine's result. Each call makes its own
loop, so calls one after another work. What is refused is calling it from code already running
in an event loop: that is why it goes at the top, not why it can run only once.
"""

import asyncio

import pytest


@pytest.mark.claim("FUT-4", verdict="holds")
@pytest.mark.contract
def test_asyncio_run_returns_what_the_coroutine_returns():
    """The value returned by the coroutine comes back from asyncio.run."""

    async def main():
        await asyncio.sleep(0)
        return 42

    assert asyncio.run(main()) == 42


@pytest.mark.claim("FUT-4", verdict="holds")
@pytest.mark.contract
def test_asyncio_run_raises_what_the_coroutine_raises():
    """An exception escaping the coroutine escapes asyncio.run."""

    async def main():
        raise ValueError("from inside")

    with pytest.raises(ValueError, match="from inside"):
        asyncio.run(main())


@pytest.mark.claim("FUT-5", verdict="holds")
@pytest.mark.contract
def test_each_call_makes_a_new_loop_and_closes_it_at_the_end():
    """The coroutine runs on a loop made for this call; after the call that loop is closed,
    and the next call gets a different one."""

    async def which_loop():
        return asyncio.get_running_loop()

    first = asyncio.run(which_loop())
    second = asyncio.run(which_loop())

    assert first is not second
    assert (first.is_closed(), second.is_closed()) == (True, True)


@pytest.mark.claim("FUT-5", verdict="holds")
@pytest.mark.contract
def test_tasks_still_pending_when_the_coroutine_ends_are_cancelled():
    """When the main coroutine returns, asyncio.run cancels the tasks it left behind (and lets
    them finish cancelling) before closing the loop."""
    events = []

    async def background():
        try:
            await asyncio.get_running_loop().create_future()  # waits for ever
        except asyncio.CancelledError:
            events.append("background task cancelled")
            raise

    async def main():
        leftover = asyncio.create_task(background())
        await asyncio.sleep(0)
        events.append("main returns")
        return leftover

    leftover = asyncio.run(main())

    assert events == ["main returns", "background task cancelled"]
    assert leftover.cancelled()


@pytest.mark.claim(
    "FUT-6",
    verdict="erratum",
    note="asyncio.run is not limited to one call: each call makes and closes its own loop, so "
    "calls in sequence work; only a call from inside a running loop is refused",
)
@pytest.mark.contract
def test_asyncio_run_can_be_called_again_and_again_in_sequence():
    """Three calls in a row each run their coroutine to completion."""

    async def square(x):
        return x * x

    assert [asyncio.run(square(n)) for n in (1, 2, 3)] == [1, 4, 9]


@pytest.mark.claim(
    "FUT-6",
    verdict="erratum",
    note="the real rule behind 'once, at the top': asyncio.run refuses to start inside a "
    "running loop",
)
@pytest.mark.implementation("CPython's message text")
async def test_asyncio_run_refuses_to_run_inside_a_running_loop():
    """From a coroutine, where a loop is already running, asyncio.run raises RuntimeError:
    it is meant for the top level only."""

    async def nested():
        return None

    coro = nested()
    with pytest.raises(RuntimeError, match="cannot be called from a running event loop"):
        asyncio.run(coro)
    coro.close()
