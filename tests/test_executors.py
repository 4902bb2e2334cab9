"""The executor fixtures: one run per kind, pools of every kind, and their teardown check."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from pytest_concurrency import available_start_methods, executors
from pytest_concurrency.executors import (
    CPYTHON_KINDS,
    context_for,
    kind_of_start_method,
    kinds,
    start_method_of,
    validate_kinds,
    validate_start_methods,
)
from pytest_concurrency.spec_support import workloads

LINUX_KINDS = ["thread", "process-fork", "process-spawn", "process-forkserver"]


def passed_ids(reprec: pytest.HookRecorder) -> list[str]:
    passed, _, _ = reprec.listoutcomes()
    return [report.nodeid.split("::", 1)[1] for report in passed]


# --- the pure helpers -----------------------------------------------------------------------


@pytest.mark.platform("linux")
def test_linux_offers_all_three_start_methods_and_four_kinds() -> None:
    """Linux has fork, spawn and forkserver, so there are four executor kinds."""
    assert available_start_methods() == ["fork", "spawn", "forkserver"]
    assert [k for k in kinds(available=True) if k in CPYTHON_KINDS] == LINUX_KINDS
    assert list(CPYTHON_KINDS) == LINUX_KINDS


def test_the_third_party_kinds_are_known_but_not_in_the_default_selection() -> None:
    """loky and dask register through the hook as opt-in kinds: accepted by name, left out of
    a run that names no kinds."""
    assert kinds()[: len(CPYTHON_KINDS)] == list(CPYTHON_KINDS)
    assert {"loky", "dask"} <= set(kinds())
    assert not {"loky", "dask"} & set(kinds(default=True))


@pytest.mark.platform("linux")
@pytest.mark.parametrize(
    ("old", "expected", "instead"),
    [
        ("available_kinds", LINUX_KINDS, r"kinds\(available=True\)"),
        ("default_kinds", LINUX_KINDS, r"kinds\(default=True\)"),
    ],
)
def test_the_list_functions_merged_into_kinds_still_work_and_warn(
    old: str, expected: list[str], instead: str
) -> None:
    """The old list functions give what they gave, with a DeprecationWarning naming the
    replacement."""
    with pytest.warns(DeprecationWarning, match=f"executors.{old}.*deprecated.*{instead}"):
        function = getattr(executors, old)
    assert function() == expected


def test_known_kinds_still_works_and_warns() -> None:
    """``known_kinds()`` is ``kinds()``."""
    with pytest.warns(DeprecationWarning, match=r"use executors.kinds\(\)"):
        assert executors.known_kinds() == kinds()


def test_the_names_that_moved_with_the_dask_kind_still_work_and_warn() -> None:
    """``executors.DASK_SCHEDULER_ENV`` and friends warn and give the dask module's."""
    from pytest_concurrency.kinds import dask

    with pytest.warns(DeprecationWarning, match="moved to pytest_concurrency.kinds.dask"):
        assert executors.DASK_SCHEDULER_ENV == dask.DASK_SCHEDULER_ENV


def test_kinds_and_start_methods_convert_both_ways() -> None:
    """A process kind names its start method; the thread kind has none."""
    assert kind_of_start_method("spawn") == "process-spawn"
    assert start_method_of("process-forkserver") == "forkserver"
    assert start_method_of("thread") is None


def test_an_unknown_kind_or_start_method_is_rejected_with_the_accepted_names() -> None:
    """Validation errors name the bad value and every accepted one."""
    with pytest.raises(ValueError, match=r"unknown executor kind 'pool'; accepted: thread, "):
        validate_kinds(["thread", "pool"])
    with pytest.raises(ValueError, match=r"'bogus'; accepted: fork, spawn, forkserver"):
        validate_start_methods(["bogus"])
    with pytest.raises(ValueError, match="unknown start method"):
        context_for("threads")


def test_a_context_has_its_start_method() -> None:
    """context_for gives a context of its own for the method asked."""
    assert context_for("spawn").get_start_method() == "spawn"


# --- executor: one run per kind -------------------------------------------------------------


@pytest.mark.platform("linux")
def test_a_test_using_executor_runs_once_per_kind_named_in_its_id(
    pytester: pytest.Pytester,
) -> None:
    """``def test_x(executor)`` runs four times on Linux, one ID per executor kind."""
    pytester.makepyfile(
        """
        def test_x(executor):
            assert executor.submit(pow, 2, 10).result() == 1024
        """
    )
    reprec = pytester.inline_run()
    assert passed_ids(reprec) == [f"test_x[{kind}]" for kind in LINUX_KINDS]


@pytest.mark.platform("linux")
def test_each_kind_gets_the_matching_pool_and_context(pytester: pytest.Pytester) -> None:
    """The thread kind is a thread pool in this process; process kinds run work elsewhere."""
    pytester.makepyfile(
        """
        import concurrent.futures, os
        from pytest_concurrency.spec_support import workloads

        def test_x(executor, executor_kind):
            pid = executor.submit(workloads.current_pid).result()
            if executor_kind == "thread":
                assert isinstance(executor, concurrent.futures.ThreadPoolExecutor)
                assert pid == os.getpid()
            else:
                assert isinstance(executor, concurrent.futures.ProcessPoolExecutor)
                assert pid != os.getpid()
        """
    )
    pytester.inline_run().assertoutcome(passed=4)


def test_thread_executor_is_one_thread_pool_not_parametrized(pytester: pytest.Pytester) -> None:
    """thread_executor gives a single thread pool: the test runs once, without an ID."""
    pytester.makepyfile(
        """
        import concurrent.futures

        def test_x(thread_executor):
            assert isinstance(thread_executor, concurrent.futures.ThreadPoolExecutor)
            assert thread_executor.submit(len, "abc").result() == 3
        """
    )
    assert passed_ids(pytester.inline_run()) == ["test_x"]


@pytest.mark.platform("linux")
def test_process_executor_runs_once_per_start_method(pytester: pytest.Pytester) -> None:
    """process_executor, start_method and mp_context agree, once per start method."""
    pytester.makepyfile(
        """
        import concurrent.futures

        def test_x(process_executor, start_method, mp_context):
            assert isinstance(process_executor, concurrent.futures.ProcessPoolExecutor)
            assert mp_context.get_start_method() == start_method
            assert process_executor.submit(abs, -3).result() == 3
        """
    )
    reprec = pytester.inline_run()
    assert passed_ids(reprec) == [
        "test_x[process-fork]",
        "test_x[process-spawn]",
        "test_x[process-forkserver]",
    ]


def test_start_method_and_executor_kind_name_the_parameter(pytester: pytest.Pytester) -> None:
    """start_method gives the bare method name; executor_kind gives the kind."""
    pytester.makepyfile(
        """
        def test_method(start_method, request):
            assert request.node.callspec.id == "process-" + start_method

        def test_kind(executor_kind, request):
            assert request.node.callspec.id == executor_kind
        """
    )
    reprec = pytester.inline_run("--start-methods=spawn")
    assert passed_ids(reprec) == [
        "test_method[process-spawn]",
        "test_kind[thread]",
        "test_kind[process-spawn]",
    ]


def test_asking_for_start_method_dynamically_explains_why_it_cannot(
    pytester: pytest.Pytester,
) -> None:
    """getfixturevalue cannot parametrize a test, and the error says so."""
    pytester.makepyfile(
        """
        def test_x(request):
            request.getfixturevalue("start_method")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*start_method is parametrized by pytest-concurrency-specs*"])


# --- executor_factory ----------------------------------------------------------------------


@pytest.mark.platform("linux")
def test_executor_factory_honours_max_workers(pytester: pytest.Pytester) -> None:
    """A pool made with max_workers=1 runs all its work on one worker."""
    pytester.makepyfile(
        """
        from pytest_concurrency.spec_support import workloads

        def test_threads(executor_factory):
            pool = executor_factory("thread", max_workers=1)
            names = set(pool.map(workloads.current_thread_name, range(8)))
            assert len(names) == 1

        def test_processes(executor_factory):
            pool = executor_factory("process-fork", max_workers=1)
            assert len(set(pool.map(workloads.current_pid, range(8)))) == 1
        """
    )
    pytester.inline_run().assertoutcome(passed=2)


@pytest.mark.platform("linux")
def test_executor_factory_runs_the_initializer_in_every_worker(pytester: pytest.Pytester) -> None:
    """initializer/initargs reach each worker, in this process or another."""
    pytester.makepyfile(
        """
        import os
        import threading

        def test_threads(executor_factory):
            local = threading.local()

            def mark(value):
                local.mark = value

            pool = executor_factory("thread", max_workers=2, initializer=mark, initargs=(7,))
            assert list(pool.map(lambda _: local.mark, range(4))) == [7, 7, 7, 7]

        def test_processes(executor_factory, start_method, tmp_path):
            # The worker moves to tmp_path first: the initializer ran there, not here.
            pool = executor_factory(
                f"process-{start_method}", initializer=os.chdir, initargs=(str(tmp_path),)
            )
            assert pool.submit(os.getcwd).result() == str(tmp_path)
            assert os.getcwd() != str(tmp_path)
        """
    )
    pytester.inline_run("--start-methods=fork,spawn,forkserver").assertoutcome(passed=4)


@pytest.mark.platform("linux")
def test_executor_factory_shuts_every_pool_down_at_teardown(pytester: pytest.Pytester) -> None:
    """Several fresh pools in one test all work, and all are shut down once the test is over
    (warm pools go back to the session's cache instead: tests/test_pools.py)."""
    pytester.makepyfile(
        """
        import pytest

        pools = []

        def test_makes_pools(executor_factory):
            pools.extend([
                executor_factory("thread", fresh=True),
                executor_factory("thread", max_workers=2, fresh=True),
                executor_factory("process-fork", max_workers=1, fresh=True),
            ])
            assert [p.submit(abs, -1).result() for p in pools] == [1, 1, 1]

        def test_they_are_shut_down():
            for pool in pools:
                with pytest.raises(RuntimeError, match="after shutdown"):
                    pool.submit(abs, -1)
        """
    )
    pytester.inline_run().assertoutcome(passed=2)


def test_executor_factory_rejects_an_unknown_kind(pytester: pytest.Pytester) -> None:
    """A kind that does not exist is an error naming the accepted kinds."""
    pytester.makepyfile(
        """
        import pytest

        def test_x(executor_factory):
            with pytest.raises(ValueError, match="accepted: thread, process-fork"):
                executor_factory("process-teleport")
        """
    )
    pytester.inline_run().assertoutcome(passed=1)


def test_a_thread_worker_still_busy_after_teardown_fails_the_test(
    pytester: pytest.Pytester, gate
) -> None:
    """A pool worker blocked past the (scaled) hang bound fails the test at teardown."""
    pytester.makepyfile(
        """
        import threading

        def test_x(thread_executor, gate):
            started = threading.Event()
            thread_executor.submit(lambda: started.set() or gate.wait())
            assert started.wait(30)  # running: teardown cannot cancel it
        """
    )
    result = pytester.runpytest("--hang-scale=0.01", plugins=[gate])
    gate.open_and_join("ThreadPoolExecutor")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*the test left 1 thing(s) running after its teardown: thread 'ThreadPoolExecutor-*'"
            " of ThreadPoolExecutor*"
        ]
    )


@pytest.mark.platform("linux")
def test_a_process_worker_still_busy_after_teardown_is_stopped_and_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    """A worker process past the hang bound is terminated, and the test fails naming it."""
    pytester.makepyfile(
        """
        import multiprocessing
        from pytest_concurrency.spec_support import workloads

        started = multiprocessing.get_context("fork").Event()  # forked workers inherit it

        def announce_then_wait():
            started.set()
            workloads.wait_for_real_seconds(60)

        def test_x(executor_factory):
            pool = executor_factory("process-fork", max_workers=1)
            pool.submit(announce_then_wait)
            assert started.wait(30)  # running: teardown cannot cancel it
        """
    )
    children_before = set(multiprocessing.active_children())  # warm pools of earlier tests

    result = pytester.runpytest("--hang-scale=0.01")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*process 'ForkProcess-*' of ProcessPoolExecutor*"])
    assert set(multiprocessing.active_children()) <= children_before


# --- the global start method ----------------------------------------------------------------


@pytest.mark.platform("linux")
@pytest.mark.python("<3.14")
def test_process_executors_leave_the_global_start_method_at_the_default(
    pytester: pytest.Pytester,
) -> None:
    """Pools of every start method use contexts of their own: the global method stays fork.

    (CPython itself fixes the global method at its default the first time a spawn or
    forkserver child is prepared; the plugin never sets it.)
    """
    pytester.makepyfile(
        """
        import multiprocessing

        def test_pools(executor):
            assert executor.submit(abs, -2).result() == 2

        def test_global_method_is_the_default():
            assert multiprocessing.get_start_method() == "fork"
        """
    )
    pytester.inline_run().assertoutcome(passed=5)


def test_the_workloads_are_plain_functions() -> None:
    """The helpers that process pools run give the same answers here."""
    assert workloads.square(7) == 49
    assert workloads.fibonacci(10) == 55
    assert workloads.current_pid() == os.getpid()
