"""The builtin anext(iterator, default) ignores its default: at the end it raises
StopAsyncIteration as anext(iterator) does."""

import builtins

CLAIMS = ("ITER-4",)
SPECS = (
    "specs/async_for/test_async_iterators.py::test_the_builtin_anext_returns_a_default_at_the_end",
)

_original_anext = builtins.anext


def _anext(iterator, *default):
    return _original_anext(iterator)


builtins.anext = _anext
