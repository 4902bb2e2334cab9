"""asyncio.get_event_loop outside a coroutine: a per-thread loop, and how that changed.

``get_event_loop`` returns the thread's *current* loop (the one set with ``set_event_loop``).
When the main thread has none, what it does depends on the Python version:

* 3.10 and 3.11: it quietly creates one, sets it as current and returns it;
* 3.12 and 3.13: it still does, but with a ``DeprecationWarning``;
* 3.14 and later: it raises ``RuntimeError`` (CPython's docs and python/cpython#126354; no
  3.14 interpreter is installed here, so that spec is written from them and skips).

Any other thread never gets a loop made for it: it must make one with ``new_event_loop`` and
set it with ``set_event_loop``. A task made with ``loop.create_task`` on a loop that is not
running waits until the loop runs.

The main-thread specs use a fresh default policy, so the current-loop bookkeeping of earlier
tests (``asyncio.run`` sets it to ``None`` when it ends) cannot leak into them.
"""

import asyncio
import threading
import warnings

import pytest

from pytest_concurrency import HangError, hang_bound


@pytest.fixture
def fresh_policy():
    """The main thread as at interpreter start: a brand-new default policy, no current loop.
    The previous policy, with its current loop, is put back afterwards."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the policy API is deprecated in 3.14
        previous = asyncio.get_event_loop_policy()
        asyncio.set_event_loop_policy(None)
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.set_event_loop_policy(previous)


def run_in_new_thread(fn):
    """Call ``fn`` in a new thread and return what it returned (or raise what it raised)."""
    outcome = {}

    def target():
        try:
            outcome["value"] = fn()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(hang_bound())
    if thread.is_alive():
        raise HangError(f"{fn.__qualname__} still running in its thread after the hang bound")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.mark.claim(
    "LOOP-5",
    verdict="holds",
    note="on Python 3.10 and 3.11 the main thread gets a loop made for it silently when it has "
    "none; from 3.12 that warns, and from 3.14 it is an error",
)
@pytest.mark.python("<3.12")
@pytest.mark.contract
def test_before_3_12_get_event_loop_quietly_makes_a_loop_for_the_main_thread(fresh_policy):
    """With no current loop, the main thread is handed a new, not running loop, which becomes
    its current loop, and no warning is given."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loop = asyncio.get_event_loop()
        again = asyncio.get_event_loop()

    assert caught == []
    assert again is loop
    assert not loop.is_running()
    loop.close()


@pytest.mark.claim(
    "LOOP-5",
    verdict="holds",
    note="on Python 3.12 and 3.13 the main thread still gets a loop made for it when it has "
    "none, with a DeprecationWarning announcing the change",
)
@pytest.mark.python(">=3.12,<3.14")
@pytest.mark.implementation("CPython's message text")
def test_on_3_12_and_3_13_get_event_loop_makes_the_main_thread_loop_with_a_warning(
    fresh_policy,
):
    """With no current loop, the main thread gets a new loop, and a DeprecationWarning says
    there was no current event loop; the second call finds the loop set and is silent."""
    with pytest.warns(DeprecationWarning, match="There is no current event loop"):
        loop = asyncio.get_event_loop()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = asyncio.get_event_loop()

    assert caught == []
    assert again is loop
    assert not loop.is_running()
    loop.close()


@pytest.mark.claim(
    "LOOP-5",
    verdict="holds",
    note="from Python 3.14 (python/cpython#126354) get_event_loop raises RuntimeError when "
    "the thread has no current loop, main thread included (seen on 3.14.10 and 3.15.2)",
)
@pytest.mark.python(">=3.14")
@pytest.mark.implementation("CPython's message text")
def test_from_3_14_get_event_loop_without_a_current_loop_raises(fresh_policy):
    """From 3.14 no loop is made implicitly, not even for the main thread."""
    with pytest.raises(RuntimeError, match="There is no current event loop"):
        asyncio.get_event_loop()


@pytest.mark.claim("LOOP-5", verdict="holds")
@pytest.mark.implementation("CPython's message text")
def test_another_thread_gets_no_loop_made_for_it():
    """Outside the main thread, get_event_loop with no current loop raises RuntimeError."""
    with pytest.raises(RuntimeError, match="There is no current event loop in thread"):
        run_in_new_thread(asyncio.get_event_loop)


@pytest.mark.claim("LOOP-5", verdict="holds")
@pytest.mark.contract
def test_another_thread_uses_a_loop_of_its_own_after_new_and_set_event_loop():
    """A thread that makes a loop and sets it as current gets that loop back from
    get_event_loop and can run coroutines on it, apart from any other thread's loop."""

    async def where_am_i():
        return threading.get_ident(), asyncio.get_running_loop()

    def thread_main():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            current = asyncio.get_event_loop()
            ran_on = loop.run_until_complete(where_am_i())
            return loop, current, ran_on, threading.get_ident()
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    first = run_in_new_thread(thread_main)
    second = run_in_new_thread(thread_main)

    for loop, current, (ran_in_thread, ran_on_loop), thread in (first, second):
        assert current is loop
        assert (ran_in_thread, ran_on_loop) == (thread, loop)
    assert first[0] is not second[0]


@pytest.mark.claim("LOOP-4", verdict="holds")
@pytest.mark.contract
def test_a_task_made_on_a_loop_that_is_not_running_starts_only_when_the_loop_runs(
    fresh_policy,
):
    """loop.create_task on the current, idle loop only schedules the task; its body runs
    once run_until_complete drives the loop."""
    events = []

    async def body():
        events.append("body runs")
        return "done"

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        task = asyncio.get_event_loop().create_task(body())
        events.append("task created")
        result = loop.run_until_complete(task)
    finally:
        loop.close()

    assert result == "done"
    assert events == ["task created", "body runs"]


@pytest.mark.claim(
    "LOOP-4",
    verdict="holds",
    note="even the eager task factory (3.12+) starts a task eagerly only on a running loop",
)
@pytest.mark.python(">=3.12")
@pytest.mark.contract
def test_even_an_eager_task_factory_waits_for_the_loop_to_run(fresh_policy):
    """With asyncio.eager_task_factory, create_task on an idle loop still runs nothing: eager
    start needs a running loop."""
    events = []

    async def body():
        events.append("body runs")

    loop = asyncio.new_event_loop()
    loop.set_task_factory(asyncio.eager_task_factory)
    asyncio.set_event_loop(loop)
    try:
        task = loop.create_task(body())
        events.append("task created")
        loop.run_until_complete(task)
    finally:
        loop.close()

    assert events == ["task created", "body runs"]
