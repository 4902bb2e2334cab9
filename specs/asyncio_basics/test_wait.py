"""asyncio.wait: wait on tasks and futures, get back (done, pending) sets of those same objects.

``wait`` takes an iterable of tasks or futures and returns two sets, ``done`` and ``pending``,
holding the very objects passed in; when it returns is set by ``return_when`` and ``timeout``.
It never raises the children's exceptions, and it never cancels what is still pending.

What it accepts changed: coroutines were deprecated in Python 3.8 and are refused with
``TypeError`` from 3.11. On 3.10 it still wraps them in tasks, with a ``DeprecationWarning``.
"""

import asyncio
import warnings

import pytest

from pytest_concurrency import loop_stopwatch

pytestmark = pytest.mark.loop_flavours("virtual")


async def _answer_after(seconds):
    await asyncio.sleep(seconds)
    return seconds


async def _fail_after(seconds):
    await asyncio.sleep(seconds)
    raise ValueError(f"failed at {seconds}")


@pytest.mark.claim("AIO-18", verdict="holds")
@pytest.mark.contract
async def test_wait_returns_done_and_pending_sets_of_the_tasks_passed_in():
    """By default (ALL_COMPLETED) wait returns once every task is done: done holds the
    original task objects, pending is empty, and the waits overlap."""
    tasks = [asyncio.create_task(_answer_after(s)) for s in (3, 1, 2)]

    with loop_stopwatch() as elapsed:
        done, pending = await asyncio.wait(tasks)

    assert (done, pending) == (set(tasks), set())
    assert elapsed.seconds == 3.0
    assert [task.result() for task in tasks] == [3, 1, 2]


@pytest.mark.claim("AIO-18", verdict="holds")
@pytest.mark.contract
async def test_first_completed_returns_as_soon_as_one_task_finishes():
    """return_when=FIRST_COMPLETED returns at the first finish; the rest stay pending and keep
    running."""
    slow, fast = asyncio.create_task(_answer_after(5)), asyncio.create_task(_answer_after(2))

    with loop_stopwatch() as elapsed:
        done, pending = await asyncio.wait([slow, fast], return_when=asyncio.FIRST_COMPLETED)

    assert (done, pending) == ({fast}, {slow})
    assert elapsed.seconds == 2.0
    assert await slow == 5


@pytest.mark.claim("AIO-18", verdict="holds")
@pytest.mark.contract
async def test_first_exception_returns_at_the_first_failure_without_raising_it():
    """return_when=FIRST_EXCEPTION returns when a task fails; the failed task is in done with
    its exception kept inside, not raised by wait."""
    failing = asyncio.create_task(_fail_after(1))
    slow = asyncio.create_task(_answer_after(4))

    with loop_stopwatch() as elapsed:
        done, pending = await asyncio.wait([failing, slow], return_when=asyncio.FIRST_EXCEPTION)

    assert (done, pending) == ({failing}, {slow})
    assert elapsed.seconds == 1.0
    assert str(failing.exception()) == "failed at 1"
    assert await slow == 4


@pytest.mark.claim("AIO-18", verdict="holds")
@pytest.mark.contract
async def test_a_timeout_returns_what_finished_by_then_without_raising_or_cancelling():
    """With a timeout, wait returns after that many seconds with the unfinished tasks in
    pending; it raises nothing and the pending tasks are still running."""
    quick, slow = asyncio.create_task(_answer_after(1)), asyncio.create_task(_answer_after(10))

    with loop_stopwatch() as elapsed:
        done, pending = await asyncio.wait([quick, slow], timeout=4)

    assert (done, pending) == ({quick}, {slow})
    assert elapsed.seconds == 4.0
    assert not slow.cancelled()
    assert await slow == 10


@pytest.mark.claim(
    "AIO-24",
    verdict="erratum",
    note="from Python 3.11 asyncio.wait refuses coroutines with TypeError (deprecated since "
    "3.8); wrap them with create_task first",
)
@pytest.mark.python(">=3.11")
@pytest.mark.implementation("CPython's message text")
async def test_wait_refuses_bare_coroutines_from_python_3_11():
    """Since 3.11, handing wait a coroutine (not a task) is a TypeError, and the coroutine is
    never run."""
    coro = _answer_after(1)

    with pytest.raises(TypeError, match="coroutines is forbidden"):
        await asyncio.wait([coro])
    coro.close()  # never started: close it so it is not reported as never awaited


@pytest.mark.claim(
    "AIO-24",
    verdict="conditional",
    note="only on Python 3.10 does wait still run bare coroutines, wrapping them in tasks, and "
    "it warns that this is deprecated",
)
@pytest.mark.python("<3.11")
@pytest.mark.implementation("CPython's warning text")
async def test_on_python_3_10_wait_wraps_bare_coroutines_with_a_deprecation_warning():
    """On 3.10 wait turns each coroutine into a task, so done holds new tasks, not the
    coroutines passed in, and a DeprecationWarning says this goes away."""
    coro = _answer_after(1)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        done, pending = await asyncio.wait([coro])

    assert [w.category for w in caught] == [DeprecationWarning]
    assert "deprecated" in str(caught[0].message)
    (task,) = done
    assert (isinstance(task, asyncio.Task), task.result(), pending) == (True, 1, set())
