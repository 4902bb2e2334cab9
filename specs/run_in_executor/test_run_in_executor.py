"""loop.run_in_executor: blocking code under asyncio, in a pool beside the loop.

What a reader should take away:

* ``run_in_executor(executor, func, *args)`` submits ``func(*args)`` to a
  ``concurrent.futures`` executor and hands back an asyncio future; while the blocking call
  waits in its thread, the loop goes on running other tasks, so several blocking downloads
  overlap.
* ``executor=None`` means the loop's own default pool: a ``ThreadPoolExecutor`` the loop makes
  on first use, or whatever ``set_default_executor`` installed. Since Python 3.11 the standard
  loop refuses anything but a ``ThreadPoolExecutor`` there (3.10 only warned, with a message
  that still promised the ban for 3.9); uvloop accepts any executor without a word.
* Any executor can be passed explicitly, even a home-made ``Executor``: the loop only calls its
  ``submit``.
* Arguments are positional only: keywords are a ``TypeError``; ``functools.partial`` carries
  them. ``func`` must be a plain callable: a coroutine function is refused by the debug loop and
  uvloop, while the standard loop in normal mode "calls" it and hands back a coroutine that
  never runs.
"""

import asyncio
import concurrent.futures
import functools
import inspect
import os
import threading
import urllib.request
import warnings

import pytest

from pytest_concurrency import condition_holds, hang_bound

# Every flavour: the virtual clock holds while executor work (and its shutdown) is in flight.
FLAVOURS = ("asyncio", "debug", "eager", "virtual", "uvloop")
STANDARD_LOOPS = ("asyncio", "debug", "eager", "virtual")  # asyncio's own loop implementation


class InlineExecutor(concurrent.futures.Executor):
    """An Executor that is not a thread pool: it runs each call at once, in the caller's thread,
    and remembers what it ran."""

    def __init__(self):
        self.ran = []

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        self.ran.append(fn.__name__)
        future.set_result(fn(*args, **kwargs))
        return future


def fetch(url):
    """A blocking download: urllib waits for the whole answer."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def describe(a, b, *, sep="-"):
    return f"{a}{sep}{b}"


@pytest.mark.claim("EXE-1", verdict="holds")
@pytest.mark.loop_flavours(*FLAVOURS)
@pytest.mark.contract
async def test_blocking_downloads_in_the_executor_are_all_in_flight_at_once(http_server):
    """Three blocking downloads handed to run_in_executor wait on the server together, and the
    loop stays free meanwhile: another coroutine (the wait below) runs while they are held."""
    loop = asyncio.get_running_loop()
    urls = [http_server.url(f"/{name}") for name in ("a", "b", "c")]
    http_server.hold()

    downloads = [loop.run_in_executor(None, fetch, url) for url in urls]
    # Runs while the three downloads block: the loop is not stuck behind them.
    await condition_holds(lambda: http_server.in_flight == 3)  # not via the executor under test
    http_server.release()
    bodies = await asyncio.wait_for(asyncio.gather(*downloads), timeout=hang_bound())

    assert bodies == [b"body of /a\n", b"body of /b\n", b"body of /c\n"]
    assert http_server.max_in_flight == 3


@pytest.mark.claim("EXE-2", verdict="holds")
@pytest.mark.loop_flavours(*STANDARD_LOOPS)
@pytest.mark.implementation("the default executor's thread names")
async def test_executor_none_runs_the_call_in_the_standard_loops_own_thread_pool():
    """With executor=None the standard loop makes its own ThreadPoolExecutor on first use (its
    threads are named asyncio_N) and runs the call in one of its threads, in this process."""
    loop = asyncio.get_running_loop()

    where = await loop.run_in_executor(None, lambda: (os.getpid(), threading.current_thread()))

    pid, thread = where
    assert pid == os.getpid()
    assert thread is not threading.main_thread()
    assert thread.name == "asyncio_0"


@pytest.mark.claim("EXE-2", verdict="holds")
@pytest.mark.loop_flavours("uvloop")
@pytest.mark.implementation("uvloop's default executor's thread names")
async def test_executor_none_runs_the_call_in_uvloops_own_thread_pool():
    """uvloop does the same with a ThreadPoolExecutor of its own, whose threads are named
    uvloop_N."""
    loop = asyncio.get_running_loop()

    where = await loop.run_in_executor(None, lambda: (os.getpid(), threading.current_thread()))

    pid, thread = where
    assert pid == os.getpid()
    assert thread is not threading.main_thread()
    assert thread.name == "uvloop_0"


@pytest.mark.claim("EXE-2", verdict="holds")
@pytest.mark.loop_flavours(*FLAVOURS)
@pytest.mark.contract
async def test_set_default_executor_with_a_thread_pool_changes_what_none_means(
    executor_factory,
):
    """After set_default_executor(pool), executor=None runs calls in that pool."""
    loop = asyncio.get_running_loop()
    pool = executor_factory("thread", max_workers=1, thread_name_prefix="mine")

    loop.set_default_executor(pool)
    name = await loop.run_in_executor(None, lambda: threading.current_thread().name)

    assert name == "mine_0"


@pytest.mark.claim("EXE-2", verdict="holds")
@pytest.mark.python(">=3.11")
@pytest.mark.loop_flavours(*STANDARD_LOOPS)
@pytest.mark.implementation("CPython's message text")
async def test_since_3_11_the_standard_loop_refuses_a_default_executor_that_is_no_thread_pool(
    executor_factory,
):
    """Since Python 3.11 set_default_executor accepts only a ThreadPoolExecutor: a process pool
    (or any other Executor) is a TypeError, so None always means threads."""
    loop = asyncio.get_running_loop()
    processes = executor_factory("process-spawn", max_workers=1)  # never started: no work sent

    with pytest.raises(TypeError, match="executor must be ThreadPoolExecutor instance"):
        loop.set_default_executor(processes)
    with pytest.raises(TypeError, match="executor must be ThreadPoolExecutor instance"):
        loop.set_default_executor(InlineExecutor())


@pytest.mark.claim("EXE-2", verdict="holds")
@pytest.mark.python("<3.11")
@pytest.mark.loop_flavours(*STANDARD_LOOPS)
@pytest.mark.implementation("CPython's message text")
async def test_before_3_11_the_standard_loop_takes_any_default_executor_with_a_warning():
    """On Python 3.10 another kind of Executor is still installed as the default, with a
    DeprecationWarning (whose text says it 'will be prohibited in Python 3.9'), and None then
    means that executor."""
    loop = asyncio.get_running_loop()
    inline = InlineExecutor()

    with pytest.warns(DeprecationWarning, match="not an instance of ThreadPoolExecutor"):
        loop.set_default_executor(inline)
    answer = await loop.run_in_executor(None, describe, "x", "y")

    assert answer == "x-y"
    assert inline.ran == ["describe"]


@pytest.mark.claim("EXE-2", verdict="holds")
@pytest.mark.loop_flavours("uvloop")
@pytest.mark.implementation("what uvloop's set_default_executor checks")
async def test_uvloop_takes_any_default_executor_without_a_warning():
    """uvloop checks nothing: any Executor becomes the default, silently, on every Python."""
    loop = asyncio.get_running_loop()
    inline = InlineExecutor()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loop.set_default_executor(inline)
    answer = await loop.run_in_executor(None, describe, "x", "y")

    assert answer == "x-y"
    assert inline.ran == ["describe"]


@pytest.mark.claim("EXE-2", verdict="holds")
@pytest.mark.loop_flavours(*FLAVOURS)
@pytest.mark.contract
async def test_any_executor_passed_explicitly_is_used_even_a_home_made_one():
    """An explicit executor need not be a thread pool: the loop only calls its submit() and
    wraps the concurrent future it returns."""
    loop = asyncio.get_running_loop()
    inline = InlineExecutor()

    answer = await loop.run_in_executor(inline, describe, 1, 2)

    assert (answer, inline.ran) == ("1-2", ["describe"])


@pytest.mark.claim("EXE-3", verdict="holds")
@pytest.mark.loop_flavours(*FLAVOURS)
@pytest.mark.contract
async def test_arguments_after_func_are_passed_positionally_in_order():
    """run_in_executor(executor, func, *args) calls func(*args)."""
    loop = asyncio.get_running_loop()

    answer = await loop.run_in_executor(None, describe, "left", "right")

    assert answer == "left-right"


@pytest.mark.claim("EXE-3", verdict="holds")
@pytest.mark.loop_flavours(*FLAVOURS)
@pytest.mark.implementation("CPython's message text")
async def test_keyword_arguments_are_a_type_error_and_functools_partial_carries_them():
    """run_in_executor has no **kwargs: a keyword meant for func is rejected by
    run_in_executor itself; binding it with functools.partial works."""
    loop = asyncio.get_running_loop()

    with pytest.raises(TypeError, match="unexpected keyword argument 'sep'"):
        loop.run_in_executor(None, describe, "left", "right", sep="+")
    answer = await loop.run_in_executor(None, functools.partial(describe, "left", "right", sep="+"))

    assert answer == "left+right"


async def _never_runs(ran):
    ran.append("coroutine body")


@pytest.mark.claim("EXE-3", verdict="holds")
@pytest.mark.loop_flavours("asyncio", "eager")
@pytest.mark.implementation("what the standard loop does with a coroutine function")
async def test_the_standard_loop_calls_a_coroutine_function_and_returns_an_unrun_coroutine():
    """func must be a plain callable. Outside debug mode the standard loop does not check: the
    worker thread calls the coroutine function, which only creates a coroutine; that coroutine
    comes back as the result and its body never runs."""
    loop = asyncio.get_running_loop()
    ran = []

    result = await loop.run_in_executor(None, _never_runs, ran)

    assert inspect.iscoroutine(result)
    result.close()  # never awaited, on purpose: close it so no warning is left behind
    assert ran == []


@pytest.mark.claim("EXE-3", verdict="holds")
@pytest.mark.loop_flavours("debug", "uvloop")
@pytest.mark.implementation("CPython's message text")
async def test_the_debug_loop_and_uvloop_refuse_a_coroutine_function():
    """In debug mode the standard loop checks func, and uvloop always does: a coroutine
    function is a TypeError at the call."""
    loop = asyncio.get_running_loop()

    with pytest.raises(TypeError, match=r"coroutines cannot be used with run_in_executor\(\)"):
        loop.run_in_executor(None, _never_runs, [])
