"""Threads share memory: an unlocked read-modify-write of shared state can lose updates.

An update is lost when a thread switch falls between the read and the write of the same value.
Where a switch can fall is an interpreter detail. Since Python 3.10 a GIL build hands the GIL
over only at a few points: on entering a Python function, on a backward jump (the end of a
loop body) and after a call (CPython issues bpo-44645 / gh-88811, gh-125646). A read-modify-write
with no call inside (``self.count += 1`` on a plain attribute) therefore runs whole; one with a
call between the read and the write (a property, a method, even a builtin) can be split. The
specs below force the split with a Sequencer, show the lock that prevents it, and show the
split happening on its own once a call sits inside.
"""

import sys
import threading

import pytest

from pytest_concurrency import Sequencer, assert_blocks, hang_bound
from pytest_concurrency.spec_support.races import repeat_until, run_in_two_threads_at_once

SPLIT_ONLY_AT_CALLS = (
    "updates are lost only where a thread switch can fall between read and write; on GIL "
    "builds since 3.10 that needs a call (function entry, builtin) inside the read-modify-write"
)


@pytest.fixture
def frequent_switches():
    """Ask the interpreter to switch threads as often as it can (every microsecond), so a
    switch that is possible at all happens many times during a test."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.claim("BAS-4", verdict="holds")
def test_two_threads_that_read_before_either_writes_lose_one_update():
    """Both threads read the shared value, then both write value + 1: one increment is lost.
    The Sequencer forces that interleaving every time."""
    shared = {"count": 0}
    seq = Sequencer(["a reads", "b reads", "a writes", "b writes"])

    def increment(who):
        with seq.step(f"{who} reads"):
            seen = shared["count"]
        with seq.step(f"{who} writes"):
            shared["count"] = seen + 1

    threads = [threading.Thread(target=increment, args=(who,)) for who in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(hang_bound())

    assert seq.log == ["a reads", "b reads", "a writes", "b writes"]
    assert shared["count"] == 1


@pytest.mark.claim("BAS-4", verdict="holds")
def test_a_lock_makes_the_second_thread_wait_until_the_first_has_written():
    """With the read and the write under one lock, a second thread cannot read in between: it
    waits, then reads the first thread's result, and no update is lost."""
    shared = {"count": 0}
    lock = threading.Lock()

    def increment():
        with lock:
            shared["count"] = shared["count"] + 1

    lock.acquire()  # the first "thread" is between its read and its write
    seen = shared["count"]
    with assert_blocks(increment) as second:
        shared["count"] = seen + 1
        lock.release()
    second.result()

    assert shared["count"] == 2


@pytest.mark.claim("BAS-4", verdict="holds", note=SPLIT_ONLY_AT_CALLS)
def test_a_call_inside_the_read_modify_write_lets_updates_be_lost(frequent_switches):
    """With a function call between the read and the write, the interpreter may switch
    threads there, so two threads adding 1 a million times each lose many updates. (A busy
    machine can run the threads one after the other, so the race is run again until they
    overlap, up to the medium hang bound.)"""

    def one():
        return 1

    def race():
        shared = {"count": 0}

        def add_a_million():
            for _ in range(1_000_000):
                shared["count"] = shared["count"] + one()

        run_in_two_threads_at_once(add_a_million)
        return shared["count"]

    count = repeat_until(race, done=lambda count: count < 2_000_000)

    assert count < 2_000_000


@pytest.mark.claim("BAS-4", verdict="holds", note=SPLIT_ONLY_AT_CALLS)
@pytest.mark.gil("enabled")
@pytest.mark.python(">=3.10")
def test_under_the_gil_an_increment_with_no_call_inside_is_never_split(frequent_switches):
    """On a GIL build since 3.10, ``box[0] += 1`` in a loop has no switch point between its
    read and its write: a million increments from each of two threads all arrive, however
    often the threads switch."""
    box = [0]

    def add_a_million():
        for _ in range(1_000_000):
            box[0] += 1

    run_in_two_threads_at_once(add_a_million)

    assert box[0] == 2_000_000


@pytest.mark.claim(
    "BAS-4",
    verdict="holds",
    note="free-threaded builds run both threads at once: even a bare += loses updates "
    "(gh-125646); on 3.13t most runs lost some, a run on a busy machine none",
)
@pytest.mark.gil("disabled")
def test_without_the_gil_even_a_bare_increment_loses_updates():
    """On a free-threaded build the two threads really run at the same time, so ``+=`` on
    shared state, which is a separate read and write, loses updates with no call inside. A busy
    machine can run the two threads one after the other, losing nothing, so the race is run
    again until they overlap, up to the medium hang bound."""

    def race():
        box = [0]

        def add_a_million():
            for _ in range(1_000_000):
                box[0] += 1

        run_in_two_threads_at_once(add_a_million)
        return box[0]

    count = repeat_until(race, done=lambda count: count < 2_000_000)

    assert count < 2_000_000


@pytest.mark.claim(
    "BAS-4",
    verdict="holds",
    note="explored: the unlocked read-modify-write loses an update in 4 of the 6 orders of its "
    "steps; with the acquire a step of a cooperative lock, in 0 of the 2 orders that remain",
)
def test_an_unlocked_read_modify_write_loses_an_update_in_four_of_its_six_orders():
    """Every order of two threads' read and write steps, run once each: four orders put both
    reads before a write and lose an update; a lock leaves only the two orders where one thread
    reads and writes before the other starts, and neither loses anything."""
    from pytest_concurrency import explore

    def increments(steps, locked):
        shared = {"count": 0}
        lock = steps.lock("count")

        def increment(who):
            if locked:
                lock.acquire()
            with steps.step(f"{who} reads"):
                seen = shared["count"]
            with steps.step(f"{who} writes"):
                shared["count"] = seen + 1
            if locked:
                lock.release()

        steps.run_threads(increment, "a", "b")
        return shared["count"]

    unlocked = explore(lambda steps: increments(steps, locked=False))
    locked = explore(lambda steps: increments(steps, locked=True))

    assert (unlocked.schedules, unlocked.outcomes) == (6, {1: 4, 2: 2})
    assert (locked.schedules, locked.outcomes) == (2, {2: 2})
