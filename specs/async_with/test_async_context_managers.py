"""async with: a context manager whose entering and exiting are awaited.

What a reader should take away:

* ``async with`` follows the same steps as ``with``: enter, bind the result with ``as``, run
  the body, exit with the exception (if any), and a true result from exit swallows that
  exception. The difference is that ``__aenter__`` and ``__aexit__`` are awaited, so the task
  can be suspended there and the loop runs other tasks meanwhile.
* Strictly, they need only *return an awaitable*; ``async def`` is the usual way to do that.
* The two protocols are separate: ``with`` cannot use an object that only has
  ``__aenter__``/``__aexit__`` (the error changed: ``AttributeError`` on 3.10, ``TypeError``
  since 3.11, with a "Did you mean to use 'async with'?" hint since 3.14), and ``async with``
  compiles only inside an ``async def``.
"""

import asyncio
import re

import pytest

from pytest_concurrency import loop_stopwatch

NOTE_CTX1 = (
    "holds: only entering and exiting differ, and they are awaited; precisely, __aenter__ and "
    "__aexit__ need only return awaitables, the protocols are separate (with rejects an "
    "async-only manager), and async with compiles only inside async def"
)


class Recorder:
    """A context manager for both statements that records what each statement calls."""

    def __init__(self, events, swallow=False):
        self.events = events
        self.swallow = swallow

    def __enter__(self):
        self.events.append("enter")
        return "resource"

    def __exit__(self, exc_type, exc, tb):
        self.events.append(("exit", exc_type, str(exc)))
        return self.swallow

    async def __aenter__(self):
        self.events.append("enter")
        return "resource"

    async def __aexit__(self, exc_type, exc, tb):
        self.events.append(("exit", exc_type, str(exc)))
        return self.swallow


class AsyncOnly:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        return False


@pytest.mark.claim("CTX-1", verdict="holds", note=NOTE_CTX1)
@pytest.mark.implementation("CPython's message text")
async def test_async_with_takes_the_same_steps_as_with():
    """Both statements enter, bind the result to the as-target, run the body, and hand the
    body's exception to exit; a false result lets it propagate."""
    with_events, async_with_events = [], []

    def use_with():
        with Recorder(with_events) as bound:
            with_events.append(f"body sees {bound}")
            raise ValueError("boom")

    async def use_async_with():
        async with Recorder(async_with_events) as bound:
            async_with_events.append(f"body sees {bound}")
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        use_with()
    with pytest.raises(ValueError, match="boom"):
        await use_async_with()

    assert with_events == ["enter", "body sees resource", ("exit", ValueError, "boom")]
    assert async_with_events == with_events


@pytest.mark.claim("CTX-1", verdict="holds", note=NOTE_CTX1)
@pytest.mark.contract
async def test_a_true_result_from_aexit_swallows_the_exception_as_with_does():
    """A true value from __aexit__ suppresses the body's exception, exactly as __exit__'s."""
    events = []

    async with Recorder(events, swallow=True):
        raise ValueError("swallowed")
    events.append("after the block")

    assert events == ["enter", ("exit", ValueError, "swallowed"), "after the block"]


@pytest.mark.claim("CTX-1", verdict="holds", note=NOTE_CTX1)
@pytest.mark.implementation("CPython's message text")
async def test_aenter_need_only_return_an_awaitable_not_be_a_coroutine_function():
    """async with awaits whatever __aenter__ returns: a plain method returning an awaitable
    works, and one returning a non-awaitable is a TypeError."""

    class PlainMethods:
        def __aenter__(self):
            return asyncio.sleep(0, result="from an awaitable")

        def __aexit__(self, *exc_info):
            return asyncio.sleep(0, result=False)

    class NotAwaitable(PlainMethods):
        def __aenter__(self):
            return 42

    async with PlainMethods() as bound:
        pass
    with pytest.raises(TypeError, match="received an object from __aenter__ that does not"):
        async with NotAwaitable():
            pass

    assert bound == "from an awaitable"


@pytest.mark.claim("CTX-1", verdict="holds", note=NOTE_CTX1)
@pytest.mark.python("<3.11")
@pytest.mark.implementation("CPython's message text")
def test_before_3_11_with_on_an_async_only_manager_is_an_attribute_error():
    """On Python 3.10 `with` looks up __enter__ and fails with a bare AttributeError."""
    with pytest.raises(AttributeError, match=r"^__enter__$"), AsyncOnly():
        pass


@pytest.mark.claim("CTX-1", verdict="holds", note=NOTE_CTX1)
@pytest.mark.python(">=3.11,<3.14")
@pytest.mark.contract
def test_from_3_11_with_on_an_async_only_manager_is_a_type_error():
    """From Python 3.11 the same mistake is a TypeError naming the protocol."""
    message = "'AsyncOnly' object does not support the context manager protocol"

    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"), AsyncOnly():
        pass


@pytest.mark.claim("CTX-1", verdict="holds", note=NOTE_CTX1)
@pytest.mark.python(">=3.14")
@pytest.mark.contract
def test_from_3_14_the_type_error_suggests_async_with():
    """From Python 3.14 the TypeError also names the missing method and, since the object
    supports the asynchronous protocol, suggests `async with`. The method named is __exit__:
    `with` looks __exit__ up before __enter__."""
    hint = (
        "object does not support the context manager protocol (missed __exit__ method) but it "
        "supports the asynchronous context manager protocol. Did you mean to use 'async with'?"
    )

    with pytest.raises(TypeError, match=re.escape(hint)), AsyncOnly():
        pass


@pytest.mark.claim("CTX-1", verdict="holds", note=NOTE_CTX1)
@pytest.mark.implementation("CPython's message text")
def test_async_with_is_a_syntax_error_outside_an_async_function():
    """async with compiles only in the body of an async def: not at module level, not in a
    plain def, not even in a plain def nested in an async def."""
    sources = [
        "async with manager:\n    pass\n",
        "def f():\n    async with manager:\n        pass\n",
        "async def f():\n    def g():\n        async with manager:\n            pass\n",
    ]

    for source in sources:
        with pytest.raises(SyntaxError, match="'async with' outside async function"):
            compile(source, "<example>", "exec")
    compile("async def f():\n    async with manager:\n        pass\n", "<example>", "exec")


@pytest.mark.claim("CTX-2", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_while_entering_and_exiting_wait_the_loop_runs_other_tasks():
    """A manager whose enter and exit wait (one virtual second each, standing in for a
    handshake and a goodbye) lets another task run during both waits."""
    loop = asyncio.get_running_loop()
    events = []

    def record(what):
        events.append((loop.time(), what))

    class SlowConnection:
        async def __aenter__(self):
            record("connecting")
            await asyncio.sleep(1)
            record("connected")
            return self

        async def __aexit__(self, *exc_info):
            record("closing")
            await asyncio.sleep(1)
            record("closed")

    async def heartbeat():
        await asyncio.sleep(0.5)
        for _ in range(2):
            record("heartbeat")
            await asyncio.sleep(1)

    with loop_stopwatch() as elapsed:
        beating = asyncio.create_task(heartbeat())
        async with SlowConnection():
            record("body")
        await beating

    assert events == [
        (0.0, "connecting"),
        (0.5, "heartbeat"),
        (1.0, "connected"),
        (1.0, "body"),
        (1.0, "closing"),
        (1.5, "heartbeat"),
        (2.0, "closed"),
    ]
    assert elapsed.seconds == 2.5
