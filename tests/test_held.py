"""returns_while_held and condition_holds: telling a behaviour from a bound that ran out."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import pytest

from pytest_concurrency import HangError, hang_bound, returns_while_held
from pytest_concurrency.held import NotReturnedWhileHeld, condition_holds


@pytest.fixture
def pool() -> concurrent.futures.ThreadPoolExecutor:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        yield pool


def test_a_call_that_returns_by_its_rule_while_the_work_is_held_hands_back_its_result(pool):
    gate = threading.Event()
    held = pool.submit(gate.wait, hang_bound())
    quick = pool.submit(int, 7)
    quick.result(hang_bound())

    try:
        done, not_done = returns_while_held(
            concurrent.futures.wait,
            [held, quick],
            return_when=concurrent.futures.FIRST_COMPLETED,
            held=[held],
        )
    finally:
        gate.set()

    assert (done, not_done) == ({quick}, {held})


def test_a_call_that_waits_for_the_held_work_fails_within_the_bound(pool):
    """wait() with ALL_COMPLETED waits for the held future: the helper gives up after
    ``within`` seconds and says so, however long the held work would take."""
    gate = threading.Event()
    held = pool.submit(gate.wait, hang_bound())

    try:
        with pytest.raises(NotReturnedWhileHeld, match=r"did not return within 0\.1 s"):
            returns_while_held(concurrent.futures.wait, [held], held=[held], within=0.1)
    finally:
        gate.set()


def test_a_call_that_returned_only_once_the_held_work_finished_fails(pool):
    """The held future finishing first (its bound ran out, or it was released) is not the
    behaviour: the helper says the call returned after it."""
    held = pool.submit(int, 1)
    held.result(hang_bound())

    with pytest.raises(NotReturnedWhileHeld, match="returned only once"):
        returns_while_held(concurrent.futures.wait, [held], held=[held])


def test_what_the_call_raises_is_raised_again():
    def fails():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        returns_while_held(fails, held=[])


def test_condition_holds_does_not_wait_behind_a_busy_default_executor():
    """The loop's default executor has one thread, held busy: condition_holds still sees the
    condition turn true (asyncio.to_thread would queue behind the held call)."""
    release = threading.Event()
    flag = threading.Event()

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(1))
        busy = loop.run_in_executor(None, release.wait, hang_bound())
        loop.call_later(0.01, flag.set)
        await condition_holds(flag.is_set)
        release.set()
        await busy

    asyncio.run(main())


def test_condition_holds_raises_hang_error_when_the_condition_stays_false():
    async def main():
        await condition_holds(lambda: False, timeout=0.05, what="never")

    with pytest.raises(HangError, match=r"condition never still false after 0\.1 s"):
        asyncio.run(main())
