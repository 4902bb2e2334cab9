"""Async generators, and why coroutines and generators are different things.

What a reader should take away:

* An ``async def`` that contains ``yield`` is an async generator function: calling it gives an
  async generator, which ``async for`` walks and ``for`` cannot. It may ``await`` between
  yields; it may not ``return`` a value or ``yield from``.
* A coroutine is not an iterator and a generator is not awaitable: the two share machinery
  (``send``, ``throw``, ``close``), but each refuses the other's protocol. The one bridge left
  is ``types.coroutine``, which marks a generator function as awaitable.
"""

import asyncio
import inspect
import types

import pytest

NOTE_ITER5 = (
    "holds; and an async generator cannot return a value or use yield from (SyntaxError), nor "
    "be walked by a plain for"
)
NOTE_ITER6 = (
    "holds: each refuses the other's protocol, though they share send/throw/close; "
    "types.coroutine is the bridge that makes a generator awaitable"
)


async def squares(limit):
    for number in range(1, limit + 1):
        await asyncio.sleep(0)  # an async generator may await between yields
        yield number * number


@pytest.mark.claim("ITER-5", verdict="holds", note=NOTE_ITER5)
@pytest.mark.contract
async def test_an_async_def_with_yield_is_an_async_generator_walked_by_async_for():
    """Calling the function gives an async generator object; async for collects its values."""
    generator = squares(3)

    values = [value async for value in generator]

    assert inspect.isasyncgenfunction(squares)
    assert inspect.isasyncgen(generator)
    assert values == [1, 4, 9]


@pytest.mark.claim("ITER-5", verdict="holds", note=NOTE_ITER5)
@pytest.mark.implementation("CPython's message text")
def test_a_plain_for_cannot_walk_an_async_generator():
    """An async generator has __aiter__ but no __iter__: for raises TypeError."""
    generator = squares(3)

    with pytest.raises(TypeError, match="'async_generator' object is not iterable"):
        iter(generator)


@pytest.mark.claim("ITER-5", verdict="holds", note=NOTE_ITER5)
@pytest.mark.implementation("CPython's message text")
def test_an_async_generator_can_neither_return_a_value_nor_yield_from():
    """Both are rejected when the function is compiled."""
    returns_value = "async def f():\n    yield 1\n    return 2\n"
    yields_from = "async def f():\n    yield from [1, 2]\n"

    with pytest.raises(SyntaxError, match="'return' with value in async generator"):
        compile(returns_value, "<example>", "exec")
    with pytest.raises(SyntaxError, match="'yield from' inside async function"):
        compile(yields_from, "<example>", "exec")


@pytest.mark.claim("ITER-6", verdict="holds", note=NOTE_ITER6)
@pytest.mark.contract
def test_coroutine_generator_and_async_generator_functions_are_three_kinds():
    """inspect sorts coroutine functions, generator functions and async generator functions
    into three separate kinds."""

    async def coroutine_function():
        return 1

    def generator_function():
        yield 1

    kinds = {
        name: (
            inspect.iscoroutinefunction(function),
            inspect.isgeneratorfunction(function),
            inspect.isasyncgenfunction(function),
        )
        for name, function in [
            ("coroutine function", coroutine_function),
            ("generator function", generator_function),
            ("async generator function", squares),
        ]
    }

    assert kinds == {
        "coroutine function": (True, False, False),
        "generator function": (False, True, False),
        "async generator function": (False, False, True),
    }


@pytest.mark.claim("ITER-6", verdict="holds", note=NOTE_ITER6)
@pytest.mark.implementation("CPython's message text")
def test_a_coroutine_is_not_an_iterator():
    """next() and iter() refuse a coroutine, though it has send/throw/close like a
    generator."""

    async def coroutine_function():
        return 1

    coroutine = coroutine_function()

    with pytest.raises(TypeError, match="'coroutine' object is not an iterator"):
        next(coroutine)
    with pytest.raises(TypeError, match="'coroutine' object is not iterable"):
        iter(coroutine)
    assert all(hasattr(coroutine, name) for name in ("send", "throw", "close"))
    coroutine.close()


@pytest.mark.claim("ITER-6", verdict="holds", note=NOTE_ITER6)
@pytest.mark.contract
async def test_a_generator_cannot_be_awaited_unless_types_coroutine_marks_it():
    """await refuses a plain generator; the same generator function decorated with
    types.coroutine gives generators that await accepts."""

    def plain():
        yield

    @types.coroutine
    def marked():
        yield  # a bare yield hands control to the event loop for one turn
        return "awaited"

    with pytest.raises(TypeError, match="generator"):
        await plain()

    assert await marked() == "awaited"
