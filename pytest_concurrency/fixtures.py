"""The plugin's fixtures. ``pytest --fixtures`` shows these docstrings as the reference."""

from __future__ import annotations

import concurrent.futures
import multiprocessing.context
from collections.abc import Callable, Iterator

import pytest

from .executors import context_for, start_method_of
from .hygiene import describe
from .kinds import close_sessions
from .options import pool_reuse
from .pools import PoolKeeper, WarmPools
from .servers import LatencyServer
from .timeouts import hang_bound

__all__ = [
    "executor",
    "executor_factory",
    "executor_kind",
    "executor_kind_sessions",
    "http_server",
    "mp_context",
    "process_executor",
    "start_method",
    "thread_executor",
    "warm_pools",
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
    """The executor kind this test runs with: ``thread``, ``process-fork``, ``process-spawn``,
    ``process-forkserver``, or a third-party kind (``loky``, ``dask``, a registered one).
    Tests asking for it (or for ``executor``) run once per kind
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
    if method is None:
        raise pytest.UsageError(
            f"start_method is parametrized with process kinds (process-<method>) only, got {kind!r}"
        )
    return method


@pytest.fixture
def mp_context(start_method: str) -> multiprocessing.context.BaseContext:
    """``multiprocessing.get_context(start_method)``: a context of its own, so the global
    start method is never changed.
    """
    return context_for(start_method)


@pytest.fixture(scope="session")
def warm_pools() -> Iterator[WarmPools]:
    """The session's idle pools (one cache per xdist worker), which the executor fixtures
    lease from: reused when kind, size and options match, healthy and idle. At the end of
    the session every one is shut down, and the session fails if a worker outlives the
    ``medium`` hang bound. ``warm_pools.clear()`` shuts them down earlier.
    """
    cache = WarmPools()
    yield cache
    survivors = cache.close()
    if survivors:
        pytest.fail("at the end of the session, " + describe(survivors), pytrace=False)


@pytest.fixture(scope="session")
def executor_kind_sessions() -> Iterator[None]:
    """What third-party executor kinds keep for the whole session (the dask kind's local
    cluster, started on first use): closed at the end of the session, which fails if one of
    its processes outlives the ``long`` hang bound."""
    yield
    survivors = close_sessions(hang_bound("long"))
    if survivors:
        pytest.fail("at the end of the session, " + describe(survivors), pytrace=False)


@pytest.fixture
def executor_factory(
    request: pytest.FixtureRequest, warm_pools: WarmPools, executor_kind_sessions: None
) -> Iterator[ExecutorFactory]:
    """Make executors of any kind: ``executor_factory(kind, max_workers=None, *,
    initializer=None, initargs=(), fresh=False, on_lease=None, on_lease_args=(),
    **options)``, with ``kind`` one of ``thread``, ``process-<start method>``, ``loky``,
    ``dask`` or a kind registered through ``pytest_concurrency_executor_kinds``.

    Each call gives an idle pool of its own for this test: a warm one of the same kind, size
    and options when one is free, else a new one. ``fresh=True`` (or the ``fresh_pools``
    marker, or ``--pool-reuse=off``) gives a new pool, used by this test alone; pools with an
    ``initializer`` are always new. Workers of a warm pool keep their module state from
    earlier tests: ``on_lease(*on_lease_args)`` runs in each worker before the first call of
    this test that the worker runs.

    At teardown the test's calls that have not started are cancelled and running ones are
    waited for; a healthy pool goes back for the next test, any other (broken, shut down,
    a worker gone) is shut down. The test fails if a worker it leaves behind outlives the
    ``medium`` hang bound (surviving processes are terminated first).
    """
    fresh = request.node.get_closest_marker("fresh_pools") is not None
    warm = None if fresh or not pool_reuse(request.config) else warm_pools
    keeper = PoolKeeper(warm)
    yield keeper.make
    survivors = keeper.close()
    if survivors:
        pytest.fail(describe(survivors), pytrace=False)


@pytest.fixture
def executor(executor_kind: str, executor_factory: ExecutorFactory) -> concurrent.futures.Executor:
    """An executor of each selected kind with default settings (the test runs once per kind:
    ``test_x[thread]``, ``test_x[process-fork]``, ...): idle, possibly warm (see
    ``executor_factory``). Settled and checked at teardown.
    """
    return executor_factory(executor_kind)


@pytest.fixture
def thread_executor(executor_factory: ExecutorFactory) -> concurrent.futures.Executor:
    """A ``ThreadPoolExecutor`` with default settings: idle, possibly warm (see
    ``executor_factory``). Settled and checked at teardown.
    """
    return executor_factory("thread")


@pytest.fixture
def process_executor(
    start_method: str, executor_factory: ExecutorFactory
) -> concurrent.futures.Executor:
    """A ``ProcessPoolExecutor`` for each selected start method, with its own context
    (``test_x[process-spawn]``, ...): idle, possibly warm (see ``executor_factory``).
    Settled and checked at teardown.
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
