"""async for: iterating where each next item may have to be waited for.

What a reader should take away:

* ``async for`` calls ``__aiter__`` once, then awaits ``__anext__`` for each item until it
  raises ``StopAsyncIteration``. While an ``__anext__`` waits (on a database, say), the loop
  runs other tasks.
* It is not ``for`` with one coroutine more: the end is ``StopAsyncIteration`` (a
  ``StopIteration`` escaping an ``async def __anext__`` becomes a ``RuntimeError``), there is no
  fallback to ``__getitem__``, and ``async for`` compiles only inside an ``async def``.
* ``__aiter__`` must be a plain method that returns the iterator at once (since Python 3.7);
  an ``async def __aiter__`` is a ``TypeError``. ``__anext__`` need only return an awaitable;
  ``async def`` is the usual way to write it.
"""

import asyncio

import pytest

from pytest_concurrency import loop_stopwatch

NOTE_ITER1 = (
    "not only __anext__ differs: the end is StopAsyncIteration (StopIteration inside an async "
    "__anext__ turns into RuntimeError), there is no __getitem__ fallback, __aiter__ replaces "
    "__iter__, async for compiles only in async def, and __anext__ need only return an "
    "awaitable"
)
NOTE_ITER3 = (
    "holds for __aiter__ (an async def __aiter__ is a TypeError since 3.7); __anext__ need only "
    "return an awaitable, async def is the usual way"
)
NOTE_ITER4 = "holds (the note spells the exception StopAsyncIteraction; it is StopAsyncIteration)"


class Countdown:
    """Counts down from `start`, recording the protocol calls it receives."""

    def __init__(self, start, calls):
        self.start = start
        self.calls = calls

    def __aiter__(self):
        self.calls.append("__aiter__")
        self.current = self.start
        return self

    async def __anext__(self):
        self.calls.append("__anext__")
        if self.current == 0:
            raise StopAsyncIteration
        self.current -= 1
        return self.current + 1


@pytest.mark.claim("ITER-1", verdict="erratum", note=NOTE_ITER1)
@pytest.mark.contract
async def test_async_for_calls_aiter_once_and_awaits_anext_until_stop_async_iteration():
    """async for asks __aiter__ for the iterator, then awaits __anext__ once per item and once
    more for the StopAsyncIteration that ends the loop."""
    calls = []

    async for value in Countdown(2, calls):
        calls.append(f"body {value}")

    assert calls == ["__aiter__", "__anext__", "body 2", "__anext__", "body 1", "__anext__"]


@pytest.mark.claim("ITER-1", verdict="erratum", note=NOTE_ITER1)
@pytest.mark.implementation("CPython's message text")
async def test_stop_iteration_cannot_end_an_async_for():
    """Raising StopIteration in an async def __anext__ does not end the loop: like any
    StopIteration escaping a coroutine it becomes a RuntimeError."""

    class WrongEnd:
        def __aiter__(self):
            return self

        async def __anext__(self):
            raise StopIteration

    async def consume():
        return [value async for value in WrongEnd()]

    with pytest.raises(RuntimeError, match="coroutine raised StopIteration"):
        await consume()


@pytest.mark.claim("ITER-1", verdict="erratum", note=NOTE_ITER1)
@pytest.mark.implementation("CPython's message text")
async def test_async_for_has_no_getitem_fallback():
    """for can walk an object that only has __getitem__; async for needs __aiter__."""

    class Indexed:
        def __getitem__(self, index):
            if index == 2:
                raise IndexError
            return index

    async def consume():
        return [value async for value in Indexed()]

    assert list(Indexed()) == [0, 1]
    with pytest.raises(TypeError, match="'async for' requires an object with __aiter__ method"):
        await consume()


@pytest.mark.claim("ITER-1", verdict="erratum", note=NOTE_ITER1)
@pytest.mark.implementation("CPython's message text")
async def test_anext_need_only_return_an_awaitable():
    """A plain __anext__ that returns an awaitable works; one that returns a plain value is a
    TypeError."""

    class PlainAnext:
        def __init__(self):
            self.left = [1, 2]

        def __aiter__(self):
            return self

        def __anext__(self):
            if not self.left:
                raise StopAsyncIteration
            return asyncio.sleep(0, result=self.left.pop(0))

    class ValueAnext(PlainAnext):
        def __anext__(self):
            return 42

    async def consume(iterable):
        return [value async for value in iterable]

    assert await consume(PlainAnext()) == [1, 2]
    with pytest.raises(TypeError, match="'async for' received an invalid object from __anext__"):
        await consume(ValueAnext())


@pytest.mark.claim("ITER-1", verdict="erratum", note=NOTE_ITER1)
@pytest.mark.implementation("CPython's message text")
def test_async_for_is_a_syntax_error_outside_an_async_function():
    """async for compiles only in the body of an async def."""
    with pytest.raises(SyntaxError, match="'async for' outside async function"):
        compile("def f(rows):\n    async for row in rows:\n        pass\n", "<example>", "exec")
    compile("async def f(rows):\n    async for row in rows:\n        pass\n", "<example>", "exec")


@pytest.mark.claim("ITER-2", verdict="holds")
@pytest.mark.loop_flavours("virtual")
@pytest.mark.contract
async def test_while_anext_waits_for_the_next_row_the_loop_runs_other_tasks():
    """Each row takes one virtual second to arrive (a database round trip) and async for
    pauses until it does; a ticker task runs in those waits, so the iteration and the ticker
    interleave."""
    loop = asyncio.get_running_loop()
    events = []

    class SlowRows:
        def __init__(self, rows):
            self.rows = list(rows)

        def __aiter__(self):
            return self

        async def __anext__(self):
            if not self.rows:
                raise StopAsyncIteration
            await asyncio.sleep(1)  # the round trip
            return self.rows.pop(0)

    async def ticker():
        await asyncio.sleep(0.5)
        for _ in range(2):
            events.append((loop.time(), "tick"))
            await asyncio.sleep(1)

    with loop_stopwatch() as elapsed:
        ticking = asyncio.create_task(ticker())
        async for row in SlowRows(["r1", "r2"]):
            events.append((loop.time(), row))
        await ticking

    assert events == [(0.5, "tick"), (1.0, "r1"), (1.5, "tick"), (2.0, "r2")]
    assert elapsed.seconds == 2.5


@pytest.mark.claim("ITER-3", verdict="holds", note=NOTE_ITER3)
@pytest.mark.implementation("CPython's message text")
async def test_an_async_def_aiter_is_a_type_error():
    """async for calls __aiter__ without awaiting it: an async def __aiter__ hands back a
    coroutine, which has no __anext__, so async for raises TypeError (and that coroutine is
    never awaited)."""

    class AsyncAiter:
        async def __aiter__(self):
            return self

        async def __anext__(self):
            raise StopAsyncIteration

    async def consume():
        return [value async for value in AsyncAiter()]

    with (
        pytest.warns(RuntimeWarning, match="AsyncAiter.__aiter__' was never awaited"),
        pytest.raises(
            TypeError,
            match="'async for' received an object from __aiter__ that does not implement "
            "__anext__: coroutine",
        ),
    ):
        await consume()


@pytest.mark.claim("ITER-3", verdict="holds", note=NOTE_ITER3)
@pytest.mark.implementation("CPython's message text")
async def test_aiter_must_return_an_object_with_anext():
    """What __aiter__ returns is checked for __anext__: a plain iterator will not do."""

    class ReturnsPlainIterator:
        def __aiter__(self):
            return iter([1, 2])

    async def consume():
        return [value async for value in ReturnsPlainIterator()]

    with pytest.raises(TypeError, match="does not implement __anext__: list_iterator"):
        await consume()


@pytest.mark.claim("ITER-4", verdict="holds", note=NOTE_ITER4)
@pytest.mark.contract
async def test_anext_returns_each_value_then_raises_stop_async_iteration():
    """Driving the protocol by hand: each awaited __anext__ gives the next value, and the end
    is StopAsyncIteration, every time it is asked again."""
    iterator = Countdown(2, []).__aiter__()

    first = await iterator.__anext__()
    second = await iterator.__anext__()
    with pytest.raises(StopAsyncIteration):
        await iterator.__anext__()
    with pytest.raises(StopAsyncIteration):
        await iterator.__anext__()

    assert (first, second) == (2, 1)


@pytest.mark.claim("ITER-4", verdict="holds", note=NOTE_ITER4)
@pytest.mark.contract
async def test_the_builtin_anext_returns_a_default_at_the_end():
    """anext() (a builtin since 3.10) awaits __anext__; with a default it returns the default
    instead of raising StopAsyncIteration."""
    iterator = aiter(Countdown(1, []))

    values = [await anext(iterator, "done"), await anext(iterator, "done")]

    assert values == [1, "done"]


@pytest.mark.claim("ITER-4", verdict="holds", note=NOTE_ITER4)
@pytest.mark.claim("ITER-7", verdict="holds")
@pytest.mark.contract
async def test_a_plain_iterators_stop_iteration_is_translated_by_hand():
    """An async iterator built on a plain iterator must turn its StopIteration into
    StopAsyncIteration itself."""

    class OverKeys:
        def __init__(self, keys):
            self.keys = iter(keys)

        def __aiter__(self):
            return self

        async def __anext__(self):
            try:
                key = next(self.keys)
            except StopIteration:
                raise StopAsyncIteration from None
            await asyncio.sleep(0)
            return key.upper()

    assert [key async for key in OverKeys(["a", "b"])] == ["A", "B"]
