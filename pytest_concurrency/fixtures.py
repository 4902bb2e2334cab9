"""The plugin's fixtures. ``pytest --fixtures`` shows these docstrings as the reference."""

from __future__ import annotations

import concurrent.futures
import multiprocessing.context
from collections.abc import Callable, Iterator

import pytest

from .executors import context_for, start_method_of
from .hygiene import describe
from .pools import PoolKeeper
from .servers import LatencyServer, RedisServer, RedisUnavailable

__all__ = [
    "executor",
    "executor_factory",
    "executor_kind",
    "http_server",
    "mp_context",
    "process_executor",
    "redis_server",
    "start_method",
    "thread_executor",
]

ExecutorFactory = Callable[..., concurrent.futures.Executor]


def _param(request: pytest.FixtureRequest, name: str) -> str:
    try:
        return str(request.param)
    except AttributeError:
        raise pytest.UsageError(
            f"{name} is parametrized by pytest-concurrency-specs only for tests that name it "
            f"(or a fixture built on it) as an argument; request.getfixturevalue({name!r}) "
            "cannot parametrize a test"
        ) from None


@pytest.fixture
def executor_kind(request: pytest.FixtureRequest) -> str:
    """The executor kind this test runs with: ``thread``, ``process-fork``, ``process-spawn``
    or ``process-forkserver``. Tests asking for it (or for ``executor``) run once per kind
    selected by ``--executor-kinds``/``--start-methods`` and the ``executor_kinds`` and
    ``start_methods`` markers; the test ID names the kind.
    """
    return _param(request, "executor_kind")


@pytest.fixture
def start_method(request: pytest.FixtureRequest) -> str:
    """The multiprocessing start method this test runs with (``fork``, ``spawn``,
    ``forkserver``). Tests asking for it, ``mp_context`` or ``process_executor`` run once per
    start method selected; the test ID reads ``process-<method>``.
    """
    kind = _param(request, "start_method")
    method = start_method_of(kind)
    assert method is not None
    return method


@pytest.fixture
def mp_context(start_method: str) -> multiprocessing.context.BaseContext:
    """``multiprocessing.get_context(start_method)``: a context of its own, so the global
    start method is never changed.
    """
    return context_for(start_method)


@pytest.fixture
def executor_factory() -> Iterator[ExecutorFactory]:
    """Make executors of any kind: ``executor_factory(kind, max_workers=None,
    initializer=None, initargs=(), **options)``, with ``kind`` one of ``thread`` or
    ``process-<start method>``. At teardown every pool made is shut down (pending work
    cancelled) and the test fails if a worker thread or process outlives the ``medium`` hang
    bound (surviving processes are terminated first).
    """
    keeper = PoolKeeper()
    yield keeper.make
    survivors = keeper.close()
    if survivors:
        pytest.fail(describe(survivors), pytrace=False)


@pytest.fixture
def executor(executor_kind: str, executor_factory: ExecutorFactory) -> concurrent.futures.Executor:
    """An executor of each selected kind with default settings (the test runs once per kind:
    ``test_x[thread]``, ``test_x[process-fork]``, ...). Shut down and checked at teardown.
    """
    return executor_factory(executor_kind)


@pytest.fixture
def thread_executor(executor_factory: ExecutorFactory) -> concurrent.futures.Executor:
    """A ``ThreadPoolExecutor`` with default settings. Shut down and checked at teardown."""
    return executor_factory("thread")


@pytest.fixture
def process_executor(
    start_method: str, executor_factory: ExecutorFactory
) -> concurrent.futures.Executor:
    """A ``ProcessPoolExecutor`` for each selected start method, with its own context
    (``test_x[process-spawn]``, ...). Shut down and checked at teardown.
    """
    return executor_factory(f"process-{start_method}")


@pytest.fixture
def http_server() -> Iterator[LatencyServer]:
    """A loopback HTTP server (:class:`~pytest_concurrency.servers.LatencyServer`): every
    GET answers ``body of <path>``, after ``server.latency`` seconds (0 by default, or
    ``?latency=S`` per request). ``server.url(path)`` builds URLs; ``in_flight``,
    ``max_in_flight`` and ``requests`` show what arrived; ``hold()``/``release()`` keep
    requests waiting. Stopped, with its request threads joined, at teardown.
    """
    with LatencyServer() as server:
        yield server


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A real ``redis-server`` on a free loopback port (``.host``, ``.port``, ``.url``),
    empty and without persistence; skips the test, saying why, where none can be started.
    Stopped at teardown.
    """
    server = RedisServer()
    try:
        server.start()
    except RedisUnavailable as why:
        pytest.skip(str(why))
    try:
        yield server
    finally:
        server.stop()
