"""contextlib: context managers written as generators, plain and async.

What a reader should take away:

* ``@contextmanager`` turns a generator function into a context manager: the code before
  ``yield`` is the entering, the yielded value is what ``as`` binds, the code after it is the
  exiting. But the code after ``yield`` runs only when the block ends normally: an exception in
  the block is raised *at* the ``yield``, so cleanup that must always run needs
  ``try``/``finally``.
* ``@asynccontextmanager`` is the same for an ``async def`` generator, used with ``async with``.
  Nothing checks the function when it is decorated or called: a plain generator function (or
  a coroutine function) fails only when ``async with`` enters.
* ``inspect.isasyncgenfunction`` / ``inspect.isasyncgen`` tell async generator functions and
  objects apart from coroutines and plain generators; the decorated function itself is a plain
  function that returns a manager.
* A blocking call inside an async manager stops the whole loop; sent to ``run_in_executor`` it
  waits in a thread while the loop runs other tasks.
"""

import asyncio
import inspect
import threading
from contextlib import asynccontextmanager, contextmanager

import pytest

from pytest_concurrency import hang_bound

NOTE_CTX3 = (
    "the code after yield runs only when the block ends normally: an exception in the block is "
    "raised at the yield and skips it unless it sits in try/finally (the note's web_page would "
    "skip update_stats on an error)"
)
NOTE_CTX4 = (
    "nothing is checked when the function is decorated or called: a plain generator function "
    "(or a coroutine function) fails with TypeError only when async with enters"
)
NOTE_CTX5 = (
    "the function @asynccontextmanager returns is a plain function; the async generator "
    "function is its __wrapped__"
)
# Real threads: virtual time has nothing to add (and on 3.13 it warns at teardown when the
# loop's default executor was used: its clock jumps over shutdown_default_executor's timeout).
THREAD_FLAVOURS = ("asyncio", "debug", "eager", "uvloop")


@pytest.mark.claim("CTX-3", verdict="erratum", note=NOTE_CTX3)
@pytest.mark.contract
def test_contextmanager_binds_the_yielded_value_and_runs_the_rest_on_a_normal_exit():
    """Before yield is the entering, the yielded value is bound by `as`, after yield is the
    exiting."""
    events = []

    @contextmanager
    def opened(name):
        events.append(f"open {name}")
        yield f"handle of {name}"
        events.append(f"close {name}")

    with opened("page") as handle:
        events.append(f"use {handle}")

    assert events == ["open page", "use handle of page", "close page"]


@pytest.mark.claim("CTX-3", verdict="erratum", note=NOTE_CTX3)
@pytest.mark.contract
def test_an_exception_in_the_block_skips_the_code_after_yield():
    """The block's exception is raised inside the generator at the yield, so the code after
    yield never runs and the exception goes on to the caller."""
    events = []

    @contextmanager
    def opened(name):
        events.append(f"open {name}")
        yield name
        events.append(f"close {name}")

    with pytest.raises(ValueError, match="broken"), opened("page"):
        raise ValueError("broken")

    assert events == ["open page"]


@pytest.mark.claim("CTX-3", verdict="erratum", note=NOTE_CTX3)
@pytest.mark.contract
def test_cleanup_in_finally_runs_even_when_the_block_fails():
    """Cleanup that must always happen goes in try/finally around the yield."""
    events = []

    @contextmanager
    def opened(name):
        events.append(f"open {name}")
        try:
            yield name
        finally:
            events.append(f"close {name}")

    with pytest.raises(ValueError, match="broken"), opened("page"):
        raise ValueError("broken")

    assert events == ["open page", "close page"]


@pytest.mark.claim("CTX-4", verdict="holds", note=NOTE_CTX4)
@pytest.mark.contract
async def test_asynccontextmanager_makes_an_async_generator_into_an_async_manager():
    """An async def generator decorated with @asynccontextmanager is entered with async with;
    its entering and exiting may await."""
    events = []

    @asynccontextmanager
    async def opened(name):
        await asyncio.sleep(0)
        events.append(f"open {name}")
        yield f"handle of {name}"
        await asyncio.sleep(0)
        events.append(f"close {name}")

    async with opened("page") as handle:
        events.append(f"use {handle}")

    assert events == ["open page", "use handle of page", "close page"]


@pytest.mark.claim("CTX-4", verdict="holds", note=NOTE_CTX4)
@pytest.mark.implementation("CPython's message text")
async def test_a_plain_generator_function_fails_only_when_async_with_enters():
    """Decorating a plain generator function raises nothing, nor does calling it; the
    TypeError comes when async with enters, before the generator's body runs."""
    events = []

    def plain_generator():
        events.append("body ran")
        yield "value"

    decorated = asynccontextmanager(plain_generator)
    manager = decorated()
    events.append("decorated and called")
    with pytest.raises(TypeError, match="'generator' object is not an async iterator"):
        async with manager:
            pass

    assert events == ["decorated and called"]


@pytest.mark.claim("CTX-4", verdict="holds", note=NOTE_CTX4)
@pytest.mark.implementation("CPython's message text")
async def test_a_coroutine_function_without_yield_fails_when_async_with_enters():
    """An async def without yield is a coroutine function, not an async generator function:
    the same TypeError at entering, and the coroutine is never awaited."""

    async def no_yield():
        return "value"

    async def enter_then_drop():
        manager = asynccontextmanager(no_yield)()
        with pytest.raises(TypeError, match="'coroutine' object is not an async iterator"):
            async with manager:
                pass
        del manager  # and with it the coroutine it made, never awaited: hence the warning

    with pytest.warns(RuntimeWarning, match="coroutine .*no_yield' was never awaited"):
        await enter_then_drop()


@pytest.mark.claim("CTX-4", verdict="holds", note=NOTE_CTX4)
@pytest.mark.implementation("CPython's message text")
def test_contextmanager_given_an_async_generator_fails_when_with_enters():
    """The mirror mistake: @contextmanager on an async generator function fails at `with`."""

    async def async_generator():
        yield "value"

    manager = contextmanager(async_generator)()
    with (
        pytest.raises(TypeError, match="'async_generator' object is not an iterator"),
        manager,
    ):
        pass


@pytest.mark.claim("CTX-5", verdict="holds", note=NOTE_CTX5)
@pytest.mark.contract
def test_inspect_tells_async_generator_functions_and_objects_apart():
    """Calling an async def with yield gives an async generator object: isasyncgenfunction is
    true only for such a function, isasyncgen only for what calling it returns; coroutines and
    plain generators are neither."""

    async def async_generator():
        yield 1

    async def coroutine_function():
        return 1

    def generator_function():
        yield 1

    agen, coro, gen = async_generator(), coroutine_function(), generator_function()
    kinds = {
        "async generator function": inspect.isasyncgenfunction(async_generator),
        "coroutine function": inspect.isasyncgenfunction(coroutine_function),
        "generator function": inspect.isasyncgenfunction(generator_function),
        "async generator": inspect.isasyncgen(agen),
        "coroutine": inspect.isasyncgen(coro),
        "generator": inspect.isasyncgen(gen),
    }
    coro.close()

    assert kinds == {
        "async generator function": True,
        "coroutine function": False,
        "generator function": False,
        "async generator": True,
        "coroutine": False,
        "generator": False,
    }


@pytest.mark.claim("CTX-5", verdict="holds", note=NOTE_CTX5)
@pytest.mark.contract
def test_the_decorated_function_is_a_plain_function_wrapping_the_async_generator():
    """After @asynccontextmanager the name refers to a plain function that returns a manager;
    the async generator function is kept as __wrapped__."""

    @asynccontextmanager
    async def opened():
        yield

    assert not inspect.isasyncgenfunction(opened)
    assert inspect.isasyncgenfunction(opened.__wrapped__)


@pytest.mark.claim("CTX-6", verdict="holds")
@pytest.mark.contract
async def test_a_blocking_update_hidden_in_the_exiting_holds_up_every_other_task():
    """An exiting that calls a synchronous update (standing in for a database write) keeps a
    task that is ready to run waiting until the update has returned."""
    events = []
    ready = asyncio.get_running_loop().create_future()

    async def other():
        await ready
        events.append("other task runs")

    def update_stats():  # synchronous: the I/O inside it holds the loop's only thread
        events.append("update starts")
        events.append("update ends")

    @asynccontextmanager
    async def web_page():
        yield "data"
        update_stats()

    other_task = asyncio.create_task(other())
    await asyncio.sleep(0)  # the other task now waits on `ready`
    async with web_page():
        ready.set_result(None)  # from here on the other task is ready to run
    await other_task

    assert events == ["update starts", "update ends", "other task runs"]


@pytest.mark.claim("CTX-6", verdict="holds")
@pytest.mark.loop_flavours(*THREAD_FLAVOURS)
@pytest.mark.contract
async def test_a_blocking_call_sent_to_run_in_executor_lets_other_tasks_run_while_entering():
    """The manager's entering hands a blocking call to run_in_executor; while that call blocks
    in a thread, another task runs, and that task is what unblocks it."""
    gate = threading.Event()
    events = []

    def blocking_open():
        gate.wait(hang_bound("short"))  # a library call with no async API, waiting on I/O
        return "handle"

    @asynccontextmanager
    async def opened():
        loop = asyncio.get_running_loop()
        events.append("entering: blocking call sent to a thread")
        handle = await loop.run_in_executor(None, blocking_open)
        events.append(f"entered with {handle}")
        yield handle

    async def use():
        async with opened():
            events.append("body")

    async def other():
        events.append("other task runs while the call blocks")
        gate.set()

    await asyncio.wait_for(asyncio.gather(use(), other()), hang_bound("short"))

    assert events == [
        "entering: blocking call sent to a thread",
        "other task runs while the call blocks",
        "entered with handle",
        "body",
    ]


@pytest.mark.claim("CTX-6", verdict="holds")
@pytest.mark.loop_flavours(*THREAD_FLAVOURS)
@pytest.mark.contract
async def test_a_blocking_update_sent_to_run_in_executor_lets_other_tasks_run_while_exiting():
    """The same remedy for the exiting: the manager hands its blocking update to
    run_in_executor, and while the update blocks in a thread another task runs and is what
    unblocks it."""
    gate = threading.Event()
    events = []

    def update_stats():
        gate.wait(hang_bound("short"))  # a database update with no async API
        events.append("update done")

    @asynccontextmanager
    async def web_page():
        yield "data"
        events.append("exiting: update sent to a thread")
        await asyncio.get_running_loop().run_in_executor(None, update_stats)

    async def use():
        async with web_page():
            events.append("body")

    async def other():
        await asyncio.sleep(0)  # lets use() reach its exiting first
        events.append("other task runs while the update blocks")
        gate.set()

    await asyncio.wait_for(asyncio.gather(use(), other()), hang_bound("short"))

    assert events == [
        "body",
        "exiting: update sent to a thread",
        "other task runs while the update blocks",
        "update done",
    ]
