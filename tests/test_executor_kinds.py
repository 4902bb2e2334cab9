"""Executor kinds beyond CPython's: loky, dask, and kinds (and loop flavours) a conftest adds."""

from __future__ import annotations

import contextlib
import importlib.util
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_concurrency import executors, hang_bound, loops
from pytest_concurrency.kinds import dask as dask_kind

# Inline runs forget the modules first imported during the run; these keep process-wide
# state (loky's resource tracker, distributed's event-loop thread), so import them once here.
with contextlib.suppress(ImportError):
    import distributed  # noqa: F401
    from loky.backend import resource_tracker

    # loky's resource tracker lives for the session, as multiprocessing's does: start it
    # before any test, so that no test is blamed for it.
    resource_tracker.ensure_running()

needs_loky = pytest.mark.library("loky", ">=3.4")
needs_distributed = pytest.mark.library("distributed", ">=2024.1")

# A conftest registering an executor kind: a thread pool with a recognisable thread name.
KIND_CONFTEST = """
import concurrent.futures

def pytest_concurrency_executor_kinds(config):
    def named_pool(max_workers=None, *, initializer=None, initargs=(), **options):
        return concurrent.futures.ThreadPoolExecutor(
            max_workers, thread_name_prefix="user-kind", initializer=initializer,
            initargs=initargs, **options
        )
    return {"user-kind": named_pool}
"""


def test_a_kind_from_the_hook_runs_a_users_executor_test(pytester: pytest.Pytester) -> None:
    """A kind a conftest.py registers joins the default kinds; ``executor`` is made by its
    factory and the test ID names it."""
    pytester.makeconftest(KIND_CONFTEST)
    pytester.makepyfile(
        """
        def test_x(executor, executor_kind):
            assert executor.submit(abs, -2).result(timeout=60) == 2
            if executor_kind == "user-kind":
                assert executor._thread_name_prefix == "user-kind"
        """
    )
    result = pytester.runpytest("-v", "--start-methods=spawn")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*test_x?user-kind? PASSED*"])


def test_a_kind_from_the_hook_is_selected_by_option_and_marker(pytester: pytest.Pytester) -> None:
    """``--executor-kinds`` and the ``executor_kinds`` marker accept the registered name."""
    pytester.makeconftest(KIND_CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.executor_kinds("user-kind")
        def test_marked(executor_kind):
            assert executor_kind == "user-kind"

        def test_any(executor_kind):
            assert executor_kind in ("thread", "user-kind")
        """
    )
    result = pytester.runpytest("--executor-kinds=thread,user-kind", "-v")
    result.assert_outcomes(passed=3)


OPT_IN_CONFTEST = """
import concurrent.futures

from pytest_concurrency.executors import ExecutorKind

def pytest_concurrency_executor_kinds(config):
    return {
        "opt-in": ExecutorKind(
            "opt-in", concurrent.futures.ThreadPoolExecutor, "asked for only", default=False
        )
    }
"""


def test_a_kind_registered_with_default_false_runs_only_where_named(
    pytester: pytest.Pytester,
) -> None:
    """An ``ExecutorKind(..., default=False)`` from the hook stays out of a run that names no
    kinds, as loky and dask do; ``--executor-kinds`` asks for it (and the ``executor_kinds``
    marker picks it among the kinds a run names)."""
    pytester.makeconftest(OPT_IN_CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        def test_plain(executor_kind):
            pass

        @pytest.mark.executor_kinds("opt-in")
        def test_marked(executor_kind):
            assert executor_kind == "opt-in"
        """
    )
    plain = pytester.runpytest("-v", "-p", "no:randomly", "--start-methods=spawn")
    plain.assert_outcomes(passed=2, skipped=1)  # thread, process-spawn; test_marked: none left
    assert "[opt-in]" not in plain.stdout.str()
    named = pytester.runpytest("-v", "-p", "no:randomly", "--executor-kinds=thread,opt-in")
    named.assert_outcomes(passed=3)
    named.stdout.fnmatch_lines(["*test_marked?opt-in? PASSED*"])


def test_the_plugins_own_third_party_kinds_register_through_the_hook() -> None:
    """loky and dask come from plugin modules implementing the hook, as an outside project's
    kind would, and are opt-in."""
    from pytest_concurrency.kinds import dask, loky

    for module in (loky, dask):
        ((name, kind),) = module.pytest_concurrency_executor_kinds(config=None).items()  # type: ignore[arg-type]
        assert kind.name == name
        assert kind.default is False
        assert executors.get_kind(name) is kind


def test_a_registered_name_taken_already_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """A conftest cannot redefine a kind: the error names the kind and the plugin."""
    pytester.makeconftest(
        """
        import concurrent.futures

        def pytest_concurrency_executor_kinds(config):
            return {"thread": concurrent.futures.ThreadPoolExecutor}
        """
    )
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*executor kind 'thread' is already defined*"])


def test_an_unknown_kind_is_a_usage_error_listing_every_accepted_name(
    pytester: pytest.Pytester,
) -> None:
    """``--executor-kinds=nope`` stops the run and lists CPython's, the third-party and the
    registered kinds."""
    pytester.makeconftest(KIND_CONFTEST)
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--executor-kinds=thread,nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*unknown executor kind 'nope'; accepted: thread, process-fork, *loky, dask, user-kind*"]
    )


def test_a_kind_whose_package_is_missing_skips_with_the_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without loky installed, ``--executor-kinds=loky`` skips each test, saying what to
    install; it is not an error."""
    find_spec = importlib.util.find_spec

    def without_loky(name: str, *args: object, **kwargs: object) -> object:
        return None if name == "loky" else find_spec(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_loky)
    pytester.makepyfile("def test_x(executor): pass")
    result = pytester.runpytest("--executor-kinds=thread,loky", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*executor kind 'loky' needs the loky package"
            " (pip install 'pytest-concurrency-specs?conformance?')"
        ]
    )


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@needs_loky
@pytest.mark.platform("linux")
def test_loky_pools_are_fresh_shut_down_and_their_workers_joined(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """Each ``executor`` of the loky kind is a new ``loky.ProcessPoolExecutor``; its worker
    processes are gone when the test's teardown ends."""
    pids = tmp_path / "pids"
    pytester.makepyfile(
        f"""
        import os
        import loky

        def test_x(executor):
            assert type(executor) is loky.ProcessPoolExecutor
            pid = executor.submit(os.getpid).result(timeout=60)
            assert pid != os.getpid()
            with open({str(pids)!r}, "a") as out:
                out.write(f"{{pid}}\\n")

        def test_y(executor):
            test_x(executor)
        """
    )
    pytester.runpytest("--executor-kinds=loky").assert_outcomes(passed=2)
    seen = [int(line) for line in pids.read_text().split()]
    assert len(set(seen)) == 2  # a fresh pool each
    assert not [pid for pid in seen if _alive(pid)]


@needs_loky
def test_a_loky_pool_left_running_fails_the_leak_check(pytester: pytest.Pytester) -> None:
    """A loky pool a test makes and never shuts down is reported, as a process pool is."""
    pytester.makepyfile(
        """
        import loky

        KEPT = []  # referenced: a pool that is garbage collected shuts itself down

        def test_x():
            KEPT.append(loky.ProcessPoolExecutor(1))
            assert KEPT[0].submit(abs, -1).result(timeout=60) == 1
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*left * thing(s) running*process 'LokyProcess-*"])


@needs_distributed
@pytest.mark.platform("linux")
def test_the_dask_kind_runs_on_a_session_cluster_closed_at_the_end(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """Every dask executor of a session runs on one LocalCluster of worker processes on
    127.0.0.1, started on first use; at the end of the session it is closed and its
    processes are gone."""
    pids = tmp_path / "pids"
    pytester.makepyfile(
        f"""
        import os

        def test_x(executor):
            pid = executor.submit(os.getpid).result(timeout=60)
            assert pid != os.getpid()
            address = executor._client.scheduler.address
            assert address.startswith("tcp://127.0.0.1:"), address
            with open({str(pids)!r}, "a") as out:
                out.write(f"{{pid}} {{address}}\\n")

        def test_y(executor):
            test_x(executor)
        """
    )
    pytester.runpytest("--executor-kinds=dask", "-p", "no:logging").assert_outcomes(passed=2)
    rows = [line.split() for line in pids.read_text().splitlines()]
    assert len({address for _, address in rows}) == 1  # one cluster for the session
    assert dask_kind._session.cluster is None
    assert not [pid for pid, _ in rows if _alive(int(pid))]


def test_a_bad_scheduler_address_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """``--dask-scheduler`` takes ``<protocol>://<host>:<port>``; anything else is refused."""
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--dask-scheduler=localhost")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'localhost' is not a scheduler address; accepted: *tcp*"])


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(hang_bound("medium"))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(hang_bound("short"))


SCHEDULER = [sys.executable, "-m", "distributed.cli.dask_scheduler"]  # `dask scheduler`
WORKER = [sys.executable, "-m", "distributed.cli.dask_worker"]  # `dask worker`


@pytest.fixture
def dask_scheduler(tmp_path: Path) -> Iterator[str]:
    """A ``dask scheduler`` and one ``dask worker``, separate processes on 127.0.0.1 only;
    stopped (and waited for) at teardown."""
    address = f"tcp://127.0.0.1:{_free_loopback_port()}"
    port = address.rsplit(":", 1)[1]
    log = (tmp_path / "dask.log").open("wb")
    common = ["--no-dashboard"]
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(
            subprocess.Popen(
                [*SCHEDULER, "--host", "127.0.0.1", "--port", port, *common],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        started.append(
            subprocess.Popen(
                [*WORKER, address, "--host", "127.0.0.1", "--nworkers", "1", *common],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        yield address
    finally:
        for process in reversed(started):
            _stop(process)
        log.close()


@needs_distributed
@pytest.mark.platform("linux")
@pytest.mark.parametrize("given_by", ["option", "environment", "ini"])
def test_the_dask_kind_runs_on_the_scheduler_it_is_given(
    pytester: pytest.Pytester,
    dask_scheduler: str,
    given_by: str,
    monkeypatch: pytest.MonkeyPatch,
    make_ini: object,
) -> None:
    """With a scheduler address (``--dask-scheduler``, ``$PYTEST_CONCURRENCY_DASK_SCHEDULER``
    or the ``dask_scheduler`` ini value), the dask kind's executors run there, on workers
    started elsewhere; no local cluster is made."""
    pytester.makepyfile(
        f"""
        import os

        def test_x(executor):
            assert executor._client.scheduler.address == {dask_scheduler!r}
            pid = executor.submit(os.getpid).result(timeout=120)
            assert pid != os.getpid()
        """
    )
    args = ["--executor-kinds=dask", "-p", "no:logging"]
    if given_by == "option":
        args.append(f"--dask-scheduler={dask_scheduler}")
    elif given_by == "environment":
        monkeypatch.setenv(dask_kind.DASK_SCHEDULER_ENV, dask_scheduler)
    else:
        make_ini(f"dask_scheduler = {dask_scheduler}")  # type: ignore[operator]
    deadline = time.monotonic() + hang_bound("long")
    result = pytester.runpytest(*args)
    assert time.monotonic() < deadline
    result.assert_outcomes(passed=1)
    assert dask_kind._session.cluster is None


LOOP_CONFTEST = """
import asyncio

class UserLoop(asyncio.SelectorEventLoop):
    pass

def pytest_concurrency_loop_flavours(config):
    return {"user-loop": UserLoop}
"""


def test_a_loop_flavour_from_the_hook_runs_async_tests(pytester: pytest.Pytester) -> None:
    """A flavour a conftest registers is accepted by ``--loop-flavours`` and runs the tests."""
    pytester.makeconftest(LOOP_CONFTEST)
    pytester.makepyfile(
        """
        import asyncio

        async def test_x():
            assert type(asyncio.get_running_loop()).__name__ == "UserLoop"
        """
    )
    pytester.runpytest("--loop-flavours=user-loop").assert_outcomes(passed=1)
    assert "user-loop" not in loops.FLAVOURS  # forgotten when that run ended


@pytest.mark.parametrize(
    ("hook", "what"),
    [
        ("pytest_concurrency_executor_kinds", "executor kind"),
        ("pytest_concurrency_loop_flavours", "loop flavour"),
    ],
)
def test_a_registered_name_that_is_not_a_word_is_a_usage_error(
    pytester: pytest.Pytester, hook: str, what: str
) -> None:
    """A name with a space cannot be part of a test ID: the error names it, what it names,
    the plugin, and the characters accepted."""
    pytester.makeconftest(
        f"""
        import asyncio

        def {hook}(config):
            return {{"my pool": asyncio.new_event_loop}}
        """
    )
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*{what} name 'my pool' is not a word (letters, digits, '_', '-', '.'*"]
    )


def test_rloop_is_a_flavour_when_installed() -> None:
    """``rloop`` is listed among the flavours; it is available exactly when installed."""
    installed = importlib.util.find_spec("rloop") is not None
    assert "rloop" in loops.FLAVOURS
    assert (loops.unavailable_reason("rloop") is None) == installed


def test_conformance_runs_only_contract_specs_on_the_implementation(
    pytester: pytest.Pytester,
) -> None:
    """``--conformance=<kind>`` runs the contract specs parametrized on that kind alone; specs
    of CPython's implementation, unmarked ones and ones that do not run on it are
    deselected."""
    pytester.makeconftest(KIND_CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.contract

        def test_contract(executor_kind):
            assert executor_kind == "user-kind"

        @pytest.mark.implementation("the default worker count")
        def test_implementation(executor_kind):
            raise AssertionError("not run")

        def test_no_kind():
            raise AssertionError("not run")
        """
    )
    result = pytester.runpytest("--conformance=user-kind", "-v")
    result.assert_outcomes(passed=1, deselected=2)
    result.stdout.fnmatch_lines(["*test_contract?user-kind? PASSED*"])


def test_both_scope_markers_on_one_spec_are_refused(pytester: pytest.Pytester) -> None:
    """A spec is the contract or CPython's implementation, not both."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract
        @pytest.mark.implementation("a message text")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*marked both contract and implementation*"])
    assert result.ret != 0


def test_an_unknown_conformance_implementation_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--conformance=nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--conformance=nope: not an executor kind or loop flavour*"])


def test_conformance_on_a_registered_loop_runs_the_contract_specs_of_the_default_loop(
    pytester: pytest.Pytester,
) -> None:
    """``--conformance=<flavour>`` runs a contract spec on that flavour when the spec holds
    on the platform's default loop (its marker lists ``asyncio``), whatever else the marker
    lists; a spec for virtual time only does not run."""
    pytester.makeconftest(LOOP_CONFTEST)
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.mark.contract
        @pytest.mark.loop_flavours("asyncio", "virtual")
        async def test_on_any_loop():
            assert type(asyncio.get_running_loop()).__name__ == "UserLoop"

        @pytest.mark.contract
        @pytest.mark.loop_flavours("virtual")
        async def test_on_virtual_time():
            pass
        """
    )
    result = pytester.runpytest("--conformance=user-loop", "-v")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["*test_on_any_loop* PASSED*"])


def test_the_kinds_hook_is_called_through_pluggy_so_wrappers_see_it(
    pytester: pytest.Pytester,
) -> None:
    """A hook wrapper around pytest_concurrency_executor_kinds sees each plugin's call (as
    --debug tracing does), and the kind that plugin answers with is registered."""
    pytester.makeconftest(
        """
        import concurrent.futures
        import pytest

        seen = []

        class Wrapper:
            @pytest.hookimpl(wrapper=True)
            def pytest_concurrency_executor_kinds(self, config):
                answers = yield
                seen.append([sorted(a) for a in answers if a])
                return answers

        def pytest_configure(config):
            config.pluginmanager.register(Wrapper(), "kinds-wrapper")

        def pytest_concurrency_executor_kinds(config):
            return {"wrapped-kind": concurrent.futures.ThreadPoolExecutor}
        """
    )
    pytester.makepyfile(
        """
        from conftest import seen

        def test_the_wrapper_saw_the_call(executor_kind):
            assert executor_kind == "wrapped-kind"
            assert [["wrapped-kind"]] in seen
        """
    )

    result = pytester.runpytest("--executor-kinds=wrapped-kind", "-p", "no:randomly")

    result.assert_outcomes(passed=1)
