"""contextlib.asynccontextmanager and contextmanager check the function they decorate at
once: the wrong kind of function is a TypeError at decoration, not when the manager is
entered."""

import contextlib
import inspect

CLAIMS = ("CTX-4",)
SPECS = (
    "specs/async_with/test_contextlib.py::test_a_coroutine_function_without_yield_fails_when_async_with_enters",
    "specs/async_with/test_contextlib.py::test_a_plain_generator_function_fails_only_when_async_with_enters",
    "specs/async_with/test_contextlib.py::test_contextmanager_given_an_async_generator_fails_when_with_enters",
)

_original_async = contextlib.asynccontextmanager
_original_sync = contextlib.contextmanager


def _asynccontextmanager(func):
    if not inspect.isasyncgenfunction(func):
        raise TypeError(f"{func.__name__} is not an async generator function")
    return _original_async(func)


def _contextmanager(func):
    if inspect.isasyncgenfunction(func):
        raise TypeError(f"{func.__name__} is an async generator function")
    return _original_sync(func)


contextlib.asynccontextmanager = _asynccontextmanager
contextlib.contextmanager = _contextmanager
