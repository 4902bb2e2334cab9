"""Warm pools: reused when idle and healthy, never handed on with another test's work or broken.

The first part drives :class:`PoolKeeper` and :class:`WarmPools` directly (one keeper is one
test's use of the fixtures); the second runs small test files with ``pytester`` to check the
fixtures, the ``fresh_pools`` marker, ``--pool-reuse``, the leak check and the session's end.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from pytest_concurrency import (
    Gate,
    LatencyServer,
    available_start_methods,
    hang_bound,
    wait_until,
)
from pytest_concurrency.pools import (
    PoolKeeper,
    WarmPools,
    default_max_workers,
    health_problem,
    shutdown_and_check,
)
from pytest_concurrency.spec_support.workloads import current_pid, fetch, random_integer, square

PROCESS_KINDS = [f"process-{m}" for m in available_start_methods()]
KINDS = ["thread", *PROCESS_KINDS]


@pytest.fixture
def warm() -> Iterator[WarmPools]:
    """A cache of its own, closed (every pool shut down and checked) at the end."""
    cache = WarmPools()
    yield cache
    assert cache.close() == []


def lease(
    warm: WarmPools, kind: str, max_workers: int | None = 1, **kwargs: object
) -> tuple[PoolKeeper, concurrent.futures.Executor]:
    keeper = PoolKeeper(warm)
    return keeper, keeper.make(kind, max_workers, **kwargs)


def worker_pids(pool: concurrent.futures.Executor) -> list[int]:
    return sorted(pool._processes)  # type: ignore[attr-defined]


# --- reuse ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_next_lease_of_the_same_kind_and_size_gets_the_same_running_pool(
    warm: WarmPools, kind: str
) -> None:
    """A pool given back healthy is handed to the next test asking for its kind and size,
    with the workers it had; it still runs work."""
    first, pool = lease(warm, kind)
    pool.submit(square, 2).result(hang_bound("medium"))
    assert first.close() == []

    second, again = lease(warm, kind)
    value = again.submit(square, 3).result(hang_bound("medium"))
    assert second.close() == []

    assert again is pool
    assert value == 9
    assert (warm.hits, warm.misses) == (1, 1)


def test_another_size_or_option_gets_another_pool(warm: WarmPools) -> None:
    """The key is kind, size and options: a different one of any of them is another pool."""
    keeper, pool = lease(warm, "thread", 1)
    keeper.close()

    pools = []
    for max_workers, options in [(2, {}), (1, {"thread_name_prefix": "named"}), (1, {})]:
        keeper, other = lease(warm, "thread", max_workers, **options)
        pools.append(other)
        keeper.close()

    assert [p is pool for p in pools] == [False, False, True]


def test_two_pools_in_one_test_are_two_pools(warm: WarmPools) -> None:
    """A leased pool is the test's alone: asking twice in one test gives two pools."""
    keeper = PoolKeeper(warm)
    first = keeper.make("thread", 1)
    second = keeper.make("thread", 1)
    keeper.close()

    assert first is not second
    assert len(warm) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_the_default_size_is_the_size_the_standard_library_gives(kind: str) -> None:
    """The key of ``max_workers=None`` is the size a new pool of that kind would get."""
    keeper = PoolKeeper(None)
    pool = keeper.make(kind)
    size = pool._max_workers  # type: ignore[attr-defined]
    keeper.close()

    assert default_max_workers(kind) == size


# --- no test sees another test's work -------------------------------------------------------


def test_a_thread_pool_is_handed_on_without_the_calls_a_test_left_pending(
    warm: WarmPools,
) -> None:
    """A test leaves one call running and three waiting: at its end the three are cancelled
    and never run, the running one finishes, and the next test's first call starts at once."""
    ran: list[str] = []
    gate = Gate()
    waiting: list[concurrent.futures.Future[None]] = []

    def running_call() -> None:
        gate.wait(hang_bound())
        # The lease's end cancels the waiting calls, then waits for this one: holding the
        # worker until then keeps it from taking a waiting call first (on a free-threaded
        # build it would, in the moment between the gate opening and the lease ending).
        wait_until(lambda: all(f.cancelled() for f in waiting))
        ran.append("running")

    keeper, pool = lease(warm, "thread", 1)
    running = pool.submit(running_call)
    waiting += [pool.submit(ran.append, f"waiting {n}") for n in range(3)]
    wait_until(running.running)
    gate.open()  # as the specs' teardown opens gates left closed
    keeper.close()

    keeper, again = lease(warm, "thread", 1)
    first_call = again.submit(ran.append, "next test")
    first_call.result(hang_bound())
    keeper.close()

    assert again is pool
    assert [f.cancelled() for f in waiting] == [True, True, True]
    assert ran == ["running", "next test"]


@pytest.mark.parametrize("kind", PROCESS_KINDS)
def test_a_process_pool_is_handed_on_with_nothing_pending(warm: WarmPools, kind: str) -> None:
    """A test submits many calls and ends at once: every one of its futures is finished or
    cancelled before the pool is handed on, and the next test finds no call of it queued."""
    keeper, pool = lease(warm, kind)
    futures = [pool.submit(square, n) for n in range(200)]
    keeper.close()

    keeper, again = lease(warm, kind)
    pending_when_handed_on = dict(again._pending_work_items)  # type: ignore[attr-defined]
    value = again.submit(square, 5).result(hang_bound("medium"))
    keeper.close()

    assert again is pool
    assert all(f.done() for f in futures)
    assert pending_when_handed_on == {}
    assert value == 25


def test_a_call_still_running_at_the_bound_keeps_the_pool_from_being_handed_on(
    warm: WarmPools, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call that does not finish within the bound makes the pool busy: it is replaced."""
    monkeypatch.setattr("pytest_concurrency.pools.hang_bound", lambda tier="short": 0.05)
    gate = Gate()
    keeper, pool = lease(warm, "thread", 1)
    call = pool.submit(gate.wait, hang_bound())
    wait_until(call.running)  # running: the lease's end cannot cancel it
    survivors = keeper.close()
    gate.open()

    assert [s.what for s in survivors] == ["thread"]  # reported, as before warm pools
    assert warm.replaced == ["1 call(s) of the test still running after 0 s"]
    assert len(warm) == 0


# --- a broken pool is never handed on -------------------------------------------------------


@pytest.mark.parametrize("kind", PROCESS_KINDS)
def test_a_pool_whose_worker_was_killed_is_replaced(warm: WarmPools, kind: str) -> None:
    """A test kills a worker with os.kill and ends before the pool notices: the next test
    gets another pool, with live workers."""
    keeper, pool = lease(warm, kind, 2)
    victim = pool.submit(current_pid).result(hang_bound("medium"))
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in _live_pids(), timeout=hang_bound("medium"))
    assert keeper.close() == []

    keeper, again = lease(warm, kind, 2)
    pid = again.submit(current_pid).result(hang_bound("medium"))
    keeper.close()

    assert again is not pool
    assert pid != victim
    assert len(warm.replaced) == 1
    assert "ended" in warm.replaced[0] or "gone" in warm.replaced[0] or "broken" in warm.replaced[0]


def _live_pids() -> set[int]:
    """Children not yet ended (a zombie counts as ended)."""
    alive = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[0] != "Z":
                alive.add(int(entry.name))
    return alive


@pytest.mark.platform("linux")
def _reading_the_call_queue(pid: int) -> bool:
    """Whether a worker waits in the call queue's pipe read (holding its read lock), rather
    than on that lock (Linux: the kernel function it sleeps in)."""
    return "pipe" in Path(f"/proc/{pid}/wchan").read_text()


@pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/wchan").exists(), reason="needs Linux's /proc/<pid>/wchan"
)
@pytest.mark.parametrize("kind", PROCESS_KINDS)
def test_a_pool_that_lost_the_worker_holding_the_queue_lock_still_shuts_down(kind: str) -> None:
    """An idle worker waits for its next call holding the call queue's read lock; killed, it
    leaves the other worker waiting on that lock for good, deaf to the pool's stop message.
    Such a pool is still shut down, at once: its workers are killed rather than asked.

    CPython's manager thread notices a dead worker only when it looks before the shutdown
    request; here it never does (the dead worker is taken out of its sight first), so a
    gentle shutdown waits forever (seen by chance on 3.15: 1 run in 10 of the test above).
    """
    keeper = PoolKeeper()
    pool = keeper.make(kind, 2)
    calls = [pool.submit(current_pid) for _ in range(2)]  # two at once: two workers start
    concurrent.futures.wait(calls, timeout=hang_bound("medium"))
    pids_at_start = set(worker_pids(pool))
    assert len(pids_at_start) == 2
    wait_until(
        lambda: any(_reading_the_call_queue(pid) for pid in pids_at_start),
        timeout=hang_bound("medium"),
    )
    holder = next(pid for pid in pids_at_start if _reading_the_call_queue(pid))
    # Out of the manager's sight: it watches the workers it had when it last began to wait,
    # so wake it and let it begin again without the holder before the holder dies.
    dead = pool._processes.pop(holder)  # type: ignore[attr-defined]
    wakeup = pool._executor_manager_thread_wakeup  # type: ignore[attr-defined]
    wakeup.wakeup()
    wait_until(lambda: not wakeup._reader.poll(), timeout=hang_bound("medium"))
    dead.kill()
    dead.join(hang_bound("medium"))

    keeper._leases.clear()  # this test shuts the pool down itself, as the keeper would
    survivors = shutdown_and_check(pool, hang_bound("short"), pids_at_start)

    assert dead.exitcode == -signal.SIGKILL
    assert survivors == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the point
@pytest.mark.parametrize("kind", PROCESS_KINDS)
def test_a_pool_whose_manager_thread_died_still_shuts_down_at_once(kind: str) -> None:
    """The manager thread tells the workers to stop; if it has died (here: the future of a
    running call was marked cancelled, so setting its result raised InvalidStateError in the
    manager, as under an altered Future.cancel), nothing will, and a gentle shutdown waits
    its whole bound. The workers are killed instead, at once."""
    keeper = PoolKeeper()
    pool = keeper.make(kind, 1)
    with LatencyServer() as server:
        server.hold()
        call = pool.submit(fetch, server.url("/held"))
        wait_until(call.running, timeout=hang_bound("medium"))
        with call._condition:  # type: ignore[attr-defined]
            call._state = "CANCELLED"  # type: ignore[attr-defined]
        server.release()
        manager = pool._executor_manager_thread  # type: ignore[attr-defined]
        manager.join(hang_bound("medium"))
    workers = list(pool._processes.values())  # type: ignore[attr-defined]

    keeper._leases.clear()  # this test shuts the pool down itself, as the keeper would
    survivors = shutdown_and_check(pool, hang_bound("medium"))

    assert not manager.is_alive()
    assert survivors == []
    assert [w.exitcode for w in workers] == [-signal.SIGKILL]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the point
@pytest.mark.parametrize("kind", PROCESS_KINDS)
def test_a_lease_ends_at_once_when_the_pools_manager_thread_died(
    warm: WarmPools, kind: str
) -> None:
    """The test's calls would never finish, nor its cancelled ones leave the queue, with the
    manager thread dead: the lease does not wait its bound for them. The pool is replaced for
    that reason, and its workers are gone."""
    keeper, pool = lease(warm, kind, 1)
    with LatencyServer() as server:
        server.hold()
        call = pool.submit(fetch, server.url("/held"))
        pool.submit(fetch, server.url("/queued"))
        wait_until(call.running, timeout=hang_bound("medium"))
        with call._condition:  # type: ignore[attr-defined]
            call._state = "CANCELLED"  # type: ignore[attr-defined]
        server.release()
        pool._executor_manager_thread.join(hang_bound("medium"))  # type: ignore[attr-defined]
    workers = list(pool._processes.values())  # type: ignore[attr-defined]

    survivors = keeper.close()

    assert survivors == []
    assert warm.replaced == ["its manager thread has ended"]
    assert len(warm) == 0
    assert not [w for w in workers if w.is_alive()]


@pytest.mark.parametrize("kind", PROCESS_KINDS)
def test_a_broken_process_pool_is_replaced(warm: WarmPools, kind: str) -> None:
    """A worker dies under a running call: the call raises BrokenProcessPool, and the pool
    is replaced."""
    keeper, pool = lease(warm, kind, 1)
    pid = pool.submit(current_pid).result(hang_bound("medium"))
    call = pool.submit(os.kill, pid, signal.SIGKILL)
    with pytest.raises(BrokenProcessPool):
        call.result(hang_bound("medium"))
    keeper.close()

    keeper, again = lease(warm, kind, 1)
    keeper.close()

    assert again is not pool
    assert warm.replaced[0].startswith("broken")


@pytest.mark.parametrize("kind", KINDS)
def test_a_pool_the_test_shut_down_is_replaced(warm: WarmPools, kind: str) -> None:
    """A test that shuts its pool down (or uses it as a context manager) gets it replaced."""
    keeper, pool = lease(warm, kind)
    with pool:
        pool.submit(square, 1).result(hang_bound("medium"))
    assert keeper.close() == []

    keeper, again = lease(warm, kind)
    keeper.close()

    assert again is not pool
    assert warm.replaced == ["shut down by the test"]


def test_a_healthy_pool_has_no_health_problem() -> None:
    """The check passes a pool that ran work, and names what is wrong with one shut down."""
    pool = concurrent.futures.ThreadPoolExecutor(2)
    pool.submit(square, 2).result(hang_bound())
    healthy = health_problem(pool)
    pool.shutdown()

    assert healthy is None
    assert health_problem(pool) == "shut down by the test"


# --- fresh pools, the lease hook ------------------------------------------------------------


@pytest.mark.parametrize(
    "request_fresh",
    [
        pytest.param({"fresh": True}, id="fresh"),
        pytest.param({"initializer": int}, id="initializer"),
        pytest.param(
            {"max_tasks_per_child": 5},
            marks=pytest.mark.python(">=3.11"),  # new in 3.11
            id="max_tasks_per_child",
        ),
    ],
)
def test_a_fresh_pool_is_new_and_never_kept(warm: WarmPools, request_fresh: dict) -> None:
    """fresh=True, an initializer, or workers that end by design: a new pool, shut down at the
    end of the test instead of kept."""
    kind = "process-spawn" if "max_tasks_per_child" in request_fresh else "thread"
    keeper, pool = lease(warm, "thread")
    keeper.close()

    keeper, fresh = lease(warm, kind, **request_fresh)
    fresh.submit(square, 1).result(hang_bound("medium"))
    assert keeper.close() == []

    assert fresh is not pool
    assert len(warm) == 1  # the fresh one was not kept


def test_without_a_cache_every_pool_is_fresh() -> None:
    """PoolKeeper(None), as --pool-reuse=off gives: each pool new, shut down at the end."""
    keeper = PoolKeeper(None)
    pool = keeper.make("thread", 1)
    pool.submit(square, 1).result(hang_bound())
    keeper.close()

    with pytest.raises(RuntimeError, match="shutdown"):
        pool.submit(square, 1)


SEED = "import random; random.seed(7)"


@pytest.mark.parametrize("kind", ["thread", "process-spawn"])
def test_on_lease_resets_worker_state_a_warm_pool_kept(warm: WarmPools, kind: str) -> None:
    """A worker's module state outlives the test (here the random generator's); on_lease runs
    in each worker before the test's first call there, and resets it."""
    keeper, pool = lease(warm, kind, 1, on_lease=exec, on_lease_args=(SEED,))
    first = [pool.submit(random_integer).result(hang_bound("medium")) for _ in range(2)]
    keeper.close()

    keeper, pool_kept_state = lease(warm, kind, 1)
    leaked = pool_kept_state.submit(random_integer).result(hang_bound("medium"))
    keeper.close()

    keeper, reset = lease(warm, kind, 1, on_lease=exec, on_lease_args=(SEED,))
    again = [reset.submit(random_integer).result(hang_bound("medium")) for _ in range(2)]
    keeper.close()

    assert pool_kept_state is reset is pool
    assert again == first
    assert leaked not in first  # the state went on from where the first test left it


def test_on_lease_must_be_callable(warm: WarmPools) -> None:
    """A hook that cannot be called is refused at once, naming what was given."""
    with pytest.raises(TypeError, match="on_lease must be a callable or None, got 'seed'"):
        PoolKeeper(warm).make("thread", on_lease="seed")


def test_closing_the_cache_shuts_every_pool_down(warm: WarmPools) -> None:
    """At the end of the session every idle pool is shut down and its workers end."""
    keeper = PoolKeeper(warm)
    pools = [keeper.make(kind, 1) for kind in KINDS]
    for pool in pools:
        pool.submit(square, 1).result(hang_bound("medium"))
    keeper.close()
    threads = [
        t
        for pool in pools
        if isinstance(pool, concurrent.futures.ThreadPoolExecutor)
        for t in pool._threads
    ]
    processes = [p for pool in pools[1:] for p in pool._processes.values()]  # type: ignore[attr-defined]

    survivors = warm.close()

    assert survivors == []
    assert len(warm) == 0
    assert not [w for w in [*threads, *processes] if w.is_alive()]


@pytest.mark.skipif("fork" not in available_start_methods(), reason="needs the fork start method")
def test_a_new_fork_pool_first_shuts_the_idle_warm_thread_pools_down(warm: WarmPools) -> None:
    """Idle warm thread pools keep threads; a fork pool made beside them would fork a
    multi-threaded process. They are shut down before it is made (they cost microseconds to
    make again); warm process pools and the pools in this test's hands are not."""
    others = [kind for kind in KINDS if kind != "process-fork"]
    for kind in others:
        keeper, _ = lease(warm, kind)
        keeper.close()
    keeper = PoolKeeper(warm)
    held = keeper.make("thread", 3)
    idle_before = len(warm)

    pool = keeper.make("process-fork", 2)
    idle_after = len(warm)
    value = pool.submit(square, 4).result(hang_bound("medium"))
    held_still_runs = held.submit(square, 5).result(hang_bound("medium"))
    assert keeper.close() == []

    assert (idle_before, idle_after) == (len(others), len(others) - 1)
    assert (value, held_still_runs) == (16, 25)


# --- through pytest: the fixtures, the marker, the option -----------------------------------


@pytest.mark.skipif("fork" not in available_start_methods(), reason="needs the fork start method")
def test_warm_pools_do_not_make_a_users_fork_pool_warn(pytester: pytest.Pytester) -> None:
    """A suite with ``filterwarnings = error`` runs a thread pool, then a fork pool, then a
    spawn pool, each given back warm: nothing the pools do warns (their health check read a
    file it never closed: a ResourceWarning, an error there), and the warm thread pool's
    threads are gone when the fork pool forks (3.12+ warns of a multi-threaded fork, as a
    warning only, which the ini lets through so that it would show)."""
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings =\n    error\n"
        "    default:This process:DeprecationWarning\n"
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("kind", ["thread", "process-fork", "process-spawn"])
        def test_pool(executor_factory, kind):
            assert executor_factory(kind, 2).submit(pow, 2, 5).result(30) == 32
        """
    )

    # In a process of its own: an xdist worker has threads of its own, which fork would see.
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:xdist", "-rw")

    result.assert_outcomes(passed=3)
    result.stdout.no_fnmatch_line("*test_pool?process-fork?*")  # no warning names it


SHARES = """
import pytest

seen = []

@pytest.mark.parametrize("n", range(3))
def test_pool(executor_factory, n):
    pool = executor_factory("thread", 2)
    seen.append(pool)
    assert pool.submit(pow, 2, n).result(5) == 2 ** n

def test_count():
    print("DISTINCT", len({id(p) for p in seen}))
"""


@pytest.mark.parametrize(
    ("args", "ini", "distinct"),
    [
        ((), "", 1),
        (("--pool-reuse=off",), "", 3),
        ((), "pool_reuse = off", 3),
        (("--pool-reuse=on",), "pool_reuse = off", 1),
    ],
    ids=["default", "option-off", "ini-off", "option-wins"],
)
def test_the_option_restores_one_pool_per_test(
    pytester: pytest.Pytester, args: tuple[str, ...], ini: str, distinct: int
) -> None:
    """By default tests share a warm pool; --pool-reuse=off (or its ini twin) gives each test
    a new one."""
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(SHARES)

    result = pytester.runpytest("-s", "-p", "no:randomly", *args)

    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines([f"*DISTINCT {distinct}"])


def test_a_bad_pool_reuse_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """An unknown mode names itself and what is accepted."""
    result = pytester.runpytest("--pool-reuse=maybe")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown --pool-reuse mode 'maybe'; accepted: on, off*"])


def test_the_fresh_pools_marker_gives_a_test_pools_of_its_own(pytester: pytest.Pytester) -> None:
    """A test marked fresh_pools gets a new pool, between tests that share one."""
    pytester.makepyfile(
        """
        import pytest

        seen = []

        def test_a(thread_executor):
            seen.append(thread_executor)

        @pytest.mark.fresh_pools(reason="counts its workers")
        def test_fresh(thread_executor):
            seen.append(thread_executor)

        def test_b(thread_executor):
            seen.append(thread_executor)

        def test_check():
            assert seen[0] is seen[2]
            assert seen[1] is not seen[0]
        """
    )

    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=4)


def test_the_leak_check_still_catches_a_thread_the_test_leaks(pytester: pytest.Pytester) -> None:
    """Workers of warm pools are not reported; a thread the test itself leaves running is."""
    pytester.makepyfile(
        """
        import threading

        stop = threading.Event()

        def test_leaks(executor_factory):
            for kind in ("thread", "process-spawn"):
                executor_factory(kind, 2).submit(pow, 2, 3).result(30)
            threading.Thread(target=stop.wait, args=(10,), name="leaky").start()

        def test_release():
            stop.set()
        """
    )

    result = pytester.runpytest("-p", "no:randomly", "--hang-scale=0.1")

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*the test left 1 thing(s) running*thread 'leaky'.*"])


def test_the_workers_end_with_the_session(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """The warm pools are shut down when the session ends: their workers do not outlive it."""
    pids = tmp_path / "pids"
    pytester.makepyfile(
        f"""
        import os
        from pytest_concurrency.spec_support.workloads import current_pid

        def test_record(process_executor):
            pid = process_executor.submit(current_pid).result(30)
            with open({str(pids)!r}, "a") as out:
                out.write(f"{{pid}}\\n")
        """
    )

    result = pytester.runpytest("-p", "no:randomly", "--start-methods=spawn,forkserver")

    result.assert_outcomes(passed=len(set(available_start_methods()) & {"spawn", "forkserver"}))
    recorded = {int(line) for line in pids.read_text().split()}
    assert recorded
    assert not recorded & _live_pids()


def test_a_test_of_a_warm_pool_sees_no_worker_threads_appear_as_leaks(
    pytester: pytest.Pytester,
) -> None:
    """A warm thread pool grows lazily: threads it starts in a later test are its own, not
    that test's leaks."""
    pytester.makepyfile(
        """
        import pytest
        from pytest_concurrency import Gate

        @pytest.mark.parametrize("calls", [1, 4])
        def test_grow(executor_factory, calls):
            pool = executor_factory("thread", 4)
            gate = Gate()
            futures = [pool.submit(gate.wait, 5) for _ in range(calls)]
            gate.open()
            assert all(f.result(5) for f in futures)
        """
    )

    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_threads_started_in_workers_are_not_the_pools(warm: WarmPools) -> None:
    """Only the pool's own threads are exempt from the leak check, not what its work starts."""
    from pytest_concurrency.hygiene import Snapshot

    keeper, pool = lease(warm, "thread", 1)
    snapshot = Snapshot()
    stop = threading.Event()
    started = pool.submit(
        lambda: threading.Thread(target=stop.wait, args=(5,), name="from-work").start()
    )
    started.result(hang_bound())
    keeper.close()

    left = snapshot.survivors(0.05)
    stop.set()

    assert [s.name for s in left] == ["from-work"]


@pytest.mark.parametrize("kind", PROCESS_KINDS)
def test_a_pool_whose_worker_died_while_idle_is_not_handed_on(warm: WarmPools, kind: str) -> None:
    """A worker killed from outside while its pool waits in the cache: the next test gets
    another pool."""
    keeper, pool = lease(warm, kind, 1)
    victim = pool.submit(current_pid).result(hang_bound("medium"))
    keeper.close()
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in _live_pids(), timeout=hang_bound("medium"))

    keeper, again = lease(warm, kind, 1)
    pid = again.submit(current_pid).result(hang_bound("medium"))
    keeper.close()

    assert again is not pool
    assert pid != victim
    assert warm.replaced[0].startswith("while idle: ")


# --- CPython's private executor state has one reader ---------------------------------------

_PRIVATE_EXECUTOR_STATE = (
    "_processes",
    "_threads",
    "_pending_work_items",
    "_max_workers",
    "_executor_manager_thread",
    "_executor_manager_thread_wakeup",
    "_call_queue",
    "_result_queue",
    "_broken",
    "_shutdown_thread",
    "_shutdown_lock",
    "_safe_to_dynamically_spawn_children",
)


def test_only_cpython_internals_reads_the_executors_private_state() -> None:
    """Every read of ``ProcessPoolExecutor``/``ThreadPoolExecutor`` private attributes is in
    ``cpython_internals`` (the exploration package, which models the executors, aside)."""
    import re
    from pathlib import Path

    import pytest_concurrency

    package = Path(pytest_concurrency.__file__).parent
    pattern = re.compile(rf"[.\"'](?:{'|'.join(_PRIVATE_EXECUTOR_STATE)})\b")
    readers = sorted(
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path.name != "cpython_internals.py" and "exploration" not in path.parts
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    )
    assert readers == []


def test_the_internals_read_nothing_from_an_executor_of_another_layout() -> None:
    """An executor without CPython's attributes (a third-party one, or a future CPython's)
    gives empty answers, not errors: the leak check loses precision, not the run."""
    import concurrent.futures

    from pytest_concurrency import cpython_internals as internals

    class Bare(concurrent.futures.Executor):
        pass

    pool = Bare()
    assert internals.workers_of(pool) == []
    assert internals.executor_parts(pool) == []
    assert internals.worker_pids(pool) == set()
    assert internals.max_workers_of(pool) is None
    assert internals.broken_reason(pool) is None
    assert internals.is_shut_down(pool) is False
    assert internals.pending_count(pool) == 0
    assert internals.queues_of(pool) == []
    assert internals.work_queue_of(pool) is None
    internals.wake_manager(pool)  # nothing to wake
