"""asyncio.Future: a result that is not there yet, filled in later by someone else.

Like ``concurrent.futures.Future`` it has ``done``, ``result``, ``exception``, ``cancel`` and
done callbacks. Unlike it, it belongs to one loop and never blocks: a task waits for it with
``await``, and ``result()`` on an unfinished future raises ``InvalidStateError`` at once.
"""

import asyncio
import concurrent.futures

import pytest

from pytest_concurrency import loop_stopwatch


@pytest.mark.claim("FUT-1", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_a_future_is_pending_until_someone_sets_its_result_later():
    """The future starts empty; a task awaiting it resumes when the result is set, three loop
    seconds later here, and gets that result."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    loop.call_later(3, future.set_result, "arrived")

    state_before = future.done()
    with loop_stopwatch() as elapsed:
        value = await future

    assert (state_before, future.done()) == (False, True)
    assert value == future.result() == "arrived"
    assert elapsed.seconds == 3.0


@pytest.mark.claim("FUT-1", verdict="holds")
@pytest.mark.contract
def test_asyncio_future_offers_the_same_core_methods_as_concurrent_futures_future():
    """Both futures answer the same questions with the same method names."""
    core = {
        "add_done_callback",
        "cancel",
        "cancelled",
        "done",
        "exception",
        "result",
        "set_exception",
        "set_result",
    }

    assert core <= set(dir(asyncio.Future))
    assert core <= set(dir(concurrent.futures.Future))


@pytest.mark.claim(
    "FUT-1",
    verdict="holds",
    note="unlike concurrent.futures.Future, result() never waits: on a pending future it "
    "raises InvalidStateError; waiting is done with await",
)
@pytest.mark.contract
async def test_result_of_an_unfinished_asyncio_future_raises_instead_of_waiting():
    """asyncio.Future.result() takes no timeout and does not block the loop's thread."""
    future = asyncio.get_running_loop().create_future()

    with pytest.raises(asyncio.InvalidStateError):
        future.result()
    future.cancel()


@pytest.mark.claim("FUT-1", verdict="holds")
@pytest.mark.loop_flavours("asyncio", "debug", "eager", "virtual", "uvloop")
@pytest.mark.contract
async def test_done_callbacks_run_on_the_loop_after_the_result_is_set_not_inside_set_result():
    """set_result schedules the callbacks with the loop; they run at its next turn, not
    during the set_result call."""
    events = []
    future = asyncio.get_running_loop().create_future()
    future.add_done_callback(lambda done: events.append(f"callback sees {done.result()}"))

    future.set_result(7)
    events.append("set_result returned")
    await asyncio.sleep(0)

    assert events == ["set_result returned", "callback sees 7"]
