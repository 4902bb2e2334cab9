"""The hang guard, the bounded exit, reports that survive a failure pytest cannot format, and a
claims report written however the run ends.

The inner runs use tiny bounds: ``--hang-scale=0.02`` makes the tiers 0.1 s, 0.6 s and 2.4 s.
Inner tests that hang release what they hold in their fixtures' teardown, so that nothing is
left blocked in this process; the one that leaves a worker blocked for ever runs in a
subprocess.
"""

from __future__ import annotations

import importlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_concurrency import hang_bound, wait_until
from pytest_concurrency.hang_guard import alarm, parse_bound

TINY = "--hang-scale=0.02"  # short 0.1 s, medium 0.6 s, long 2.4 s

# A gate that the test and a worker thread wait on; the fixture's teardown opens it.
GATED = """
    import concurrent.futures
    import threading

    import pytest

    @pytest.fixture
    def gate():
        gate = threading.Event()
        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="held-worker")
        yield gate, pool
        gate.set()
        pool.shutdown(wait=True)
"""


def _failure_text(reprec: pytest.HookRecorder, when: str = "call") -> str:
    failed = [r for r in reprec.getreports("pytest_runtest_logreport") if r.failed]
    assert [r.when for r in failed] == [when]
    return str(failed[0].longrepr)


# --- the guard -------------------------------------------------------------------------------


def test_a_hung_test_fails_with_every_threads_stack_and_the_next_test_runs(
    pytester: pytest.Pytester,
) -> None:
    """A test blocked on an Event, with a worker blocked on it too, fails when the bound runs
    out; the failure shows the stacks of the test's thread and of the worker; the next test
    runs."""
    pytester.makepyfile(
        GATED
        + """
    def test_blocked(gate):
        event, pool = gate
        pool.submit(event.wait)
        event.wait()

    def test_next():
        pass
    """
    )
    started = time.monotonic()
    reprec = pytester.inline_run("--hang-guard=short", TINY)
    elapsed = time.monotonic() - started
    reprec.assertoutcome(passed=1, failed=1)
    text = _failure_text(reprec)
    assert "hang guard: the call of test_a_hung_test_fails_with_every_threads_stack" in text
    assert "ran out its bound of 0.1 s" in text
    assert "--- thread 'MainThread'" in text
    assert "in test_blocked\n    event.wait()" in text
    assert "--- thread 'held-worker_0'" in text
    assert "_pytest" not in text  # pytest's own frames are left out
    assert elapsed < 30


def test_the_guard_stops_a_hung_fixture_setup_and_teardown(pytester: pytest.Pytester) -> None:
    """A fixture that hangs in its setup, or in its teardown, is an error of the test, with the
    stacks; the teardown has a bound of its own."""
    pytester.makepyfile(
        """
        import threading
        import pytest

        @pytest.fixture
        def stuck_setup(request):
            gate = threading.Event()
            request.addfinalizer(gate.set)
            gate.wait()

        @pytest.fixture
        def stuck_teardown():
            yield
            threading.Event().wait()

        def test_setup(stuck_setup):
            pass

        def test_teardown(stuck_teardown):
            pass
        """
    )
    # The budget off: the first alarm would otherwise shrink the second test's bound.
    result = pytester.runpytest("--hang-guard=short", TINY, "--hang-budget=off")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines_random(
        [
            "*hang guard: the setup of *::test_setup ran out its bound of 0.1 s*",
            "*hang guard: the teardown of *::test_teardown ran out its bound of 0.1 s*",
            "*in stuck_setup",
            "*in stuck_teardown",
        ]
    )


def test_an_async_test_that_hangs_shows_its_tasks(pytester: pytest.Pytester) -> None:
    """For an async test, the failure lists the loop's tasks with the coroutines they wait in."""
    pytester.makepyfile(
        """
        import asyncio

        async def test_waits_on_a_task():
            async def forever():
                await asyncio.Event().wait()

            await asyncio.create_task(forever(), name="never-done")
        """
    )
    reprec = pytester.inline_run("--hang-guard=short", TINY, "--leak-check=off")
    reprec.assertoutcome(failed=1)
    text = _failure_text(reprec)
    assert "Tasks of the running event loop:" in text
    assert "--- task 'never-done'" in text
    assert "in forever\n    await asyncio.Event().wait()" in text
    assert "in test_waits_on_a_task\n" in text


def test_a_with_block_that_waits_again_on_the_way_out_is_interrupted_too(
    pytester: pytest.Pytester,
) -> None:
    """The alarm repeats until the phase ends: ``ThreadPoolExecutor.__exit__`` joining a stuck
    worker after the first alarm does not hang the test."""
    pytester.makepyfile(
        GATED
        + """
    def test_with(gate):
        event, _ = gate
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(event.wait)
            event.wait()
    """
    )
    reprec = pytester.inline_run("--hang-guard=short", TINY, "--leak-check=off")
    reprec.assertoutcome(failed=1)
    assert "During handling" not in _failure_text(reprec)


# --- option, ini value, marker ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "bound"),
    [
        (["--hang-guard=medium"], "0.6 s"),
        (["--hang-guard=5"], "0.1 s"),  # seconds are scaled too
        (["--hang-guard=off"], None),
        ([], None),  # off unless switched on
    ],
)
def test_the_header_shows_the_guard(
    pytester: pytest.Pytester, args: list[str], bound: str | None
) -> None:
    """The report header says the guard's bound, or that it is off."""
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(*args, TINY)
    if bound is None:
        result.stdout.fnmatch_lines(["concurrency: hang guard off (--hang-guard=*"])
    else:
        result.stdout.fnmatch_lines(
            [
                f"concurrency: hang guard {bound} per test (setup and call; *",
                "concurrency: the process exits at most 0.2 s after the last test*",
            ]
        )


def test_the_ini_twin_switches_the_guard_on_and_the_option_wins(
    pytester: pytest.Pytester, make_ini
) -> None:
    """``hang_guard`` in the ini file sets the guard; ``--hang-guard`` overrides it."""
    make_ini("hang_guard = long\nhang_scale = 0.02")
    pytester.makepyfile("def test_x(): pass")
    pytester.runpytest().stdout.fnmatch_lines(["concurrency: hang guard 2.4 s per test*"])
    pytester.runpytest("--hang-guard=off").stdout.fnmatch_lines(["concurrency: hang guard off*"])


def test_the_marker_overrides_the_option(pytester: pytest.Pytester) -> None:
    """``hang_guard(bound)`` sets one test's bound; ``hang_guard("off")`` lifts it."""
    pytester.makepyfile(
        GATED
        + """
    @pytest.mark.hang_guard(5)  # 0.1 s at this scale, with the guard off for the run
    def test_marked(gate):
        gate[0].wait()

    @pytest.mark.hang_guard("off")
    def test_lifted():
        # longer than the run's bound (0.1 s), bounded all the same
        assert not threading.Event().wait(0.5)
    """
    )
    reprec = pytester.inline_run(TINY, "-k", "marked")
    reprec.assertoutcome(failed=1)
    assert "ran out its bound of 0.1 s" in _failure_text(reprec)
    reprec = pytester.inline_run("--hang-guard=short", TINY, "-k", "lifted")
    reprec.assertoutcome(passed=1)


@pytest.mark.parametrize("value", ["forever", "0", "-3", "nan"])
def test_a_bad_guard_value_is_a_usage_error(pytester: pytest.Pytester, value: str) -> None:
    """A bad --hang-guard is a usage error naming what is accepted."""
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(f"--hang-guard={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"ERROR: --hang-guard: unknown hang guard '{value}'; accepted: a tier (short, "
            "medium, long), a number of seconds such as 30, or off"
        ]
    )


def test_a_bad_ini_guard_value_is_a_usage_error(pytester: pytest.Pytester, make_ini) -> None:
    """The ini twin is checked like the option."""
    make_ini("hang_guard = sometimes")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --hang-guard: unknown hang guard 'sometimes'*"])


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        ('hang_guard("forever")', "*hang_guard() marker: unknown hang guard 'forever'; accepted*"),
        ("hang_guard()", "*hang_guard() takes one argument: a tier (short, medium, long)*"),
        ("hang_guard(True)", "*unknown hang guard True*"),
    ],
)
def test_a_bad_marker_is_a_collection_error(
    pytester: pytest.Pytester, mark: str, message: str
) -> None:
    """A malformed hang_guard marker fails collection, saying what it accepts."""
    pytester.makepyfile(f"import pytest\n\n@pytest.mark.{mark}\ndef test_x(): pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])


def test_parse_bound_reads_tiers_seconds_and_off() -> None:
    """Tiers give their base seconds; numbers are seconds; off is None."""
    assert parse_bound("long", "x") == 120.0
    assert parse_bound(" 2.5 ", "x") == 2.5
    assert parse_bound(7, "x") == 7.0
    assert parse_bound("off", "x") is None
    with pytest.raises(ValueError, match="accepted: a tier"):
        parse_bound("inf", "x")


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("parse_bound", "pytest_concurrency.hang_guard"),
        ("HangGuardPlugin", "pytest_concurrency.hang_guard"),
        ("run_status", "pytest_concurrency.claims.run_status"),
    ],
)
def test_the_old_guard_module_still_works_and_names_the_new_home(name: str, home: str) -> None:
    """``pytest_concurrency.guard`` is the ``hang_guard`` package now (``run_status`` went to
    the claims machinery): its names work for one release, with a DeprecationWarning."""
    from pytest_concurrency import guard

    with pytest.warns(DeprecationWarning, match=f"guard.{name} moved: import it from {home}"):
        moved = getattr(guard, name)
    assert moved is getattr(importlib.import_module(home), name)
    with pytest.raises(AttributeError):
        guard.nothing_of_that_name  # noqa: B018


def test_the_guard_stands_down_while_a_debugger_runs(pytester: pytest.Pytester) -> None:
    """Once pytest enters a debugger (--pdb, --trace, breakpoint()), the phase under way is no
    longer guarded: a debugging session takes as long as it takes."""
    pytester.makepyfile(
        """
        import threading

        def test_debugged(request):
            request.config.hook.pytest_enter_pdb(config=request.config, pdb=None)
            assert not threading.Event().wait(0.5)  # five times the bound
        """
    )
    # Without pytest-timeout, whose pytest_enter_pdb switches it off for the whole process.
    reprec = pytester.inline_run("--hang-guard=short", TINY, "-p", "no:timeout")
    reprec.assertoutcome(passed=1)


# A test that outlasts a 0.2 s bound five times over, but ends by itself: under a debugger it
# passes (the guard stands aside); otherwise the guard fails it. {start} starts the debugger
# (or tracer), {stop} ends it and gives back the trace function before (an outer coverage run's).
OUTLASTS_ITS_BOUND = """
    import sys
    import threading

    {setup}

    def test_outlasts_its_bound():
        previous = sys.gettrace()
        {start}
        try:
            assert not threading.Event().wait(1.0)
        finally:
            {stop}
"""


def _run_outlasting(pytester: pytest.Pytester, setup: str, start: str, stop: str) -> str:
    source = OUTLASTS_ITS_BOUND.format(setup=setup, start=start, stop=stop)
    pytester.makepyfile(test_outlasting=source)
    reprec = pytester.inline_run("--hang-guard=0.2", "--hang-budget=off", "-p", "no:timeout")
    passed, skipped, failed = reprec.listoutcomes()
    if failed:
        return str(failed[0].longrepr)
    return "passed" if passed else f"not run: {skipped}"


def test_the_guard_stands_aside_under_a_bdb_debugger(pytester: pytest.Pytester) -> None:
    """A bdb-based debugger (pdb, ipdb, pudb, ...) drives the test's thread: its trace function
    is a method of a ``bdb.Bdb``. The guard does not fail the test, however long it takes."""
    outcome = _run_outlasting(
        pytester,
        setup="""import bdb

    class Debugger(bdb.Bdb):  # stops nowhere: its user_* methods do nothing
        pass

    debugger = Debugger()""",
        start="debugger.reset(); sys.settrace(debugger.trace_dispatch)",
        stop="sys.settrace(previous)",
    )
    assert outcome == "passed"


def test_the_guard_stands_aside_under_pydevd(pytester: pytest.Pytester) -> None:
    """pydevd (VS Code's debugpy, PyCharm) traces with functions of its ``pydevd`` modules: the
    guard does not fail the test."""
    pytester.makepyfile(
        pydevd="""
        def trace_dispatch(frame, event, arg):
            return None  # a debugger that has no breakpoint in this frame
        """
    )
    outcome = _run_outlasting(
        pytester,
        setup="import pydevd",
        start="sys.settrace(pydevd.trace_dispatch)",
        stop="sys.settrace(previous)",
    )
    assert outcome == "passed"


@pytest.mark.python(">=3.12")
def test_the_guard_stands_aside_under_a_sys_monitoring_debugger(
    pytester: pytest.Pytester,
) -> None:
    """A tool holding ``sys.monitoring.DEBUGGER_ID`` (pydevd on 3.12+ traces through it) is a
    debugger: the guard does not fail the test."""
    outcome = _run_outlasting(
        pytester,
        setup="DEBUGGER_ID = sys.monitoring.DEBUGGER_ID",
        start='sys.monitoring.use_tool_id(DEBUGGER_ID, "fake debugger")',
        stop="sys.monitoring.free_tool_id(DEBUGGER_ID)",
    )
    assert outcome == "passed"


def test_a_coverage_tracer_leaves_the_guard_on(pytester: pytest.Pytester) -> None:
    """A trace function that is not a debugger's (coverage's, a profiler's, a plain function)
    does not switch the guard off: the test that outlasts its bound fails."""
    outcome = _run_outlasting(
        pytester,
        setup="""def coverage_like(frame, event, arg):
        return coverage_like  # records lines, as coverage's tracers do""",
        start="sys.settrace(coverage_like)",
        stop="sys.settrace(previous)",
    )
    assert "hang guard: the call of test_outlasting.py::test_outlasts_its_bound" in outcome
    assert "ran out its bound of 0.2 s" in outcome


@pytest.mark.platform("linux", "darwin")
def test_a_child_forked_under_the_guard_exits(pytester: pytest.Pytester) -> None:
    """A child forked during a guarded test does not inherit the armed backstop: cancelling
    it there (as interpreter exit does) returns at once instead of waiting for ever for a
    watchdog thread the child does not have."""
    pytester.makepyfile(
        """
        import faulthandler
        import multiprocessing

        from pytest_concurrency import hang_bound

        def test_fork():
            child = multiprocessing.get_context("fork").Process(
                target=faulthandler.cancel_dump_traceback_later
            )
            child.start()
            child.join(hang_bound("short"))
            if child.exitcode is None:
                child.kill()
                child.join()
            assert child.exitcode == 0
        """
    )
    reprec = pytester.inline_run("--hang-guard=long", "-W", "ignore::DeprecationWarning")
    reprec.assertoutcome(passed=1)


def test_the_phases_of_a_test_share_one_backstop_armed_and_cancelled_once(
    pytester: pytest.Pytester,
) -> None:
    """Arming faulthandler starts a thread and cancelling it joins the thread: each test arms
    the backstop once for its three phases and cancels it once, when it ends."""
    pytester.makeconftest(
        """
        import faulthandler

        CALLS = {"arm": 0, "cancel": 0}
        arm, cancel = faulthandler.dump_traceback_later, faulthandler.cancel_dump_traceback_later

        def counted_arm(*args, **kwargs):
            CALLS["arm"] += 1
            arm(*args, **kwargs)

        def counted_cancel():
            CALLS["cancel"] += 1
            cancel()

        faulthandler.dump_traceback_later = counted_arm
        faulthandler.cancel_dump_traceback_later = counted_cancel
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from conftest import CALLS

        @pytest.mark.parametrize("n", range(3))
        def test_a(n):
            pass

        def test_zz_counts():
            assert CALLS == {"arm": 4, "cancel": 3}  # three tests, and this one's arming
        """
    )
    result = pytester.runpytest_subprocess("--hang-guard=long", "-p", "no:randomly", timeout=120)
    result.assert_outcomes(passed=4)


# --- where the guard runs --------------------------------------------------------------------


HANGS = """
    import threading

    def test_hangs(request):
        gate = threading.Event()
        request.addfinalizer(gate.set)
        gate.wait()

    def test_next():
        pass
"""


def test_the_guard_works_in_xdist_workers(pytester: pytest.Pytester) -> None:
    """Under pytest-xdist the stacks reach the controller, in the failure report."""
    pytest.importorskip("xdist")
    pytester.makepyfile(HANGS)
    result = pytester.runpytest("-n", "2", "--hang-guard=short", TINY)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*hang guard: the call of *::test_hangs ran out*", "*in test_hangs", "*gate.wait()"]
    )


def test_the_guard_works_with_import_mode_importlib(pytester: pytest.Pytester) -> None:
    """--import-mode=importlib changes nothing."""
    pytester.makepyfile(HANGS)
    result = pytester.runpytest("--import-mode=importlib", "--hang-guard=short", TINY)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*hang guard: the call of *::test_hangs ran out*"])


def test_without_sigalrm_the_guard_says_it_is_degraded(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where SIGALRM is missing (Windows), the header says the guard only dumps stacks."""
    monkeypatch.setattr(alarm, "HAS_ALARM", False)
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--hang-guard=short", TINY)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["concurrency: hang guard DEGRADED (no SIGALRM here): after 0.1 s a test's thread *"]
    )


@pytest.mark.library("pytest-timeout", ">=2")
def test_the_guard_steps_aside_where_pytest_timeout_applies(pytester: pytest.Pytester) -> None:
    """Where a pytest-timeout timeout applies (marker or --timeout), pytest-timeout alone
    handles the test; elsewhere the hang guard does; the header says so."""
    pytester.makepyfile(
        """
        import threading
        import pytest

        @pytest.fixture
        def gate():
            gate = threading.Event()
            yield gate
            gate.set()

        @pytest.mark.timeout(0.5)
        def test_under_pytest_timeout(gate):
            gate.wait()

        def test_under_the_guard(gate):
            gate.wait()
        """
    )
    result = pytester.runpytest("--hang-guard=short", TINY, "-p", "timeout")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random(
        [
            "*not where a pytest-timeout timeout applies*",
            "E * Failed: Timeout (>0.5s) from pytest-timeout.",
            "hang guard: the call of *::test_under_the_guard ran out *",
        ]
    )
    assert "::test_under_pytest_timeout ran out" not in result.stdout.str()
    result = pytester.runpytest("--hang-guard=short", TINY, "--timeout=0.5", "-k", "under_the")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E * Failed: Timeout (>0.5s) from pytest-timeout."])
    assert "hang guard: the call" not in result.stdout.str()


# --- bounded exit ----------------------------------------------------------------------------


def test_the_process_exits_within_its_bound_whatever_a_test_left_blocked(
    pytester: pytest.Pytester,
) -> None:
    """A ThreadPoolExecutor worker blocked for ever on an Event would hang interpreter exit
    (concurrent.futures joins its workers); the process ends within its bound all the same,
    with the session's exit status, naming the thread left."""
    pytester.makepyfile(
        """
        import concurrent.futures
        import threading
        import pytest

        @pytest.mark.allow_leaks("the worker is left blocked on purpose")
        def test_leaves_a_worker_blocked():
            pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="left-behind")
            pool.submit(threading.Event().wait)
        """
    )
    started = time.monotonic()
    result = pytester.runpytest_subprocess("--hang-guard=long", "--hang-scale=0.1", timeout=120)
    elapsed = time.monotonic() - started
    assert result.ret == 0
    result.stderr.fnmatch_lines(
        [
            "hang guard: the interpreter did not exit within 1 s after the last test; still "
            "running: 'left-behind_0'. Ending the process with exit status 0.",
            "--- thread 'left-behind_0' (id *",
        ]
    )
    assert elapsed < 60


def test_a_hung_spec_fails_the_next_runs_and_the_process_exits(
    pytester: pytest.Pytester,
) -> None:
    """The issue's case end to end, in a subprocess: a spec blocks for ever with a worker
    blocked too; it fails within its bound with the thread stacks, the next spec runs, its
    claim is contradicted in the claims report, and the process exits by itself."""
    pytester.makepyfile(
        """
        import concurrent.futures
        import threading
        import pytest

        @pytest.mark.claim("CF-1")
        @pytest.mark.allow_leaks("the worker is left blocked on purpose")
        def test_blocks_for_ever():
            gate = threading.Event()
            pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="stuck")
            pool.submit(gate.wait)
            gate.wait()

        def test_next():
            pass
        """
    )
    result = pytester.runpytest_subprocess(
        "--hang-guard=short", "--hang-scale=0.2", "--claims-report=claims.json", timeout=120
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*hang guard: the call of *::test_blocks_for_ever ran out its bound of 1 s*"]
    )
    result.stdout.fnmatch_lines(["--- thread 'stuck_0' (id *"])
    report = json.loads((pytester.path / "claims.json").read_text())
    claim = next(c for c in report["claims"] if c["id"] == "CF-1")
    assert claim["outcome"] == "contradicted"
    assert report["run"]["interrupted"] is False


@pytest.mark.platform("linux", "darwin")
def test_a_test_that_never_returns_to_python_ends_the_process_with_the_stacks(
    pytester: pytest.Pytester,
) -> None:
    """The backstop: when the test's thread cannot run the alarm's handler (here SIGALRM is
    blocked in it, as in a C call that never returns), faulthandler writes every thread's
    stack to stderr and ends the process, a grace period (2 s at least) after the bound."""
    pytester.makepyfile(
        """
        import signal
        import threading

        def test_deaf_to_signals():
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            threading.Event().wait()
        """
    )
    started = time.monotonic()
    result = pytester.runpytest_subprocess("--hang-guard=short", TINY, timeout=120)
    assert time.monotonic() - started < 60
    assert result.ret == 1
    result.stderr.fnmatch_lines(["Timeout (0:00:0*)!", "*in test_deaf_to_signals*"])


@pytest.mark.platform("linux", "darwin")
def test_a_test_that_swallows_the_guards_exceptions_still_gets_the_run_its_report(
    pytester: pytest.Pytester,
) -> None:
    """A test that catches ``BaseException`` around a wait, in a loop, swallows every
    HangGuardExpired; the backstop ends the process. Before it does, the claims report is
    written: the test's claim contradicted, the run marked as stopped early, saying why."""
    pytester.makepyfile(
        """
        import threading
        import pytest

        @pytest.mark.claim("CF-1")
        def test_retries_for_ever():
            never = threading.Event()
            while True:
                try:
                    never.wait(0.05)
                except BaseException:
                    pass
        """
    )
    result = pytester.runpytest_subprocess(
        "--hang-guard=short", TINY, "--claims-report=claims.json", timeout=120
    )

    assert result.ret == 1
    result.stderr.fnmatch_lines(["Timeout (0:00:0*)!", "*in test_retries_for_ever*"])
    report = json.loads((pytester.path / "claims.json").read_text())
    claim = next(c for c in report["claims"] if c["id"] == "CF-1")
    assert claim["outcome"] == "contradicted"
    assert report["run"]["interrupted"] is True
    assert "swallowed HangGuardExpired" in report["run"]["interrupted_reason"]


# --- nothing crashes the report --------------------------------------------------------------


UNFORMATTABLE = """
    import pytest

    class Meta(type):
        def __getattribute__(cls, name):
            if name in ("__name__", "__qualname__", "__module__"):
                raise RuntimeError("this class has no name")
            return super().__getattribute__(name)

    class Nameless(Exception, metaclass=Meta):
        pass

    @pytest.mark.claim("CF-1")
    def test_raises_what_pytest_cannot_describe():
        raise Nameless("the detail")
"""


def test_a_failure_pytest_cannot_format_is_still_a_failed_spec(
    pytester: pytest.Pytester,
) -> None:
    """An exception whose class cannot even be named makes pytest's report raise; the test
    still fails, with a plain description, and its claim is contradicted."""
    pytester.makepyfile(UNFORMATTABLE)
    result = pytester.runpytest("--claims-report=claims.json", "-p", "no:hypothesispytest")
    result.assert_outcomes(failed=1)
    assert "INTERNALERROR" not in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "pytest could not describe this call phase (RuntimeError: this class has no name)*",
            "Traceback (most recent call last):",
            "*in test_raises_what_pytest_cannot_describe",
            '    raise Nameless("the detail")',
            "<could not be shown: RuntimeError>: the detail",
        ]
    )
    report = json.loads((pytester.path / "claims.json").read_text())
    assert next(c for c in report["claims"] if c["id"] == "CF-1")["outcome"] == "contradicted"


def test_an_error_inside_pytests_formatter_is_still_a_failed_test(
    pytester: pytest.Pytester,
) -> None:
    """A SystemError raised while pytest formats a traceback (as a patched interpreter raised
    'AST constructor recursion depth mismatch') gives a failed test, not an INTERNALERROR."""
    pytester.makeconftest(
        """
        import pytest
        from _pytest._code import code

        @pytest.hookimpl(wrapper=True)
        def pytest_runtest_makereport(item, call):
            def broken(*args, **kwargs):
                raise SystemError("AST constructor recursion depth mismatch (before=1, after=2)")

            formatter = getattr(code, "ExceptionInfoFormatter", None) or code.FormattedExcinfo
            saved = formatter.repr_traceback_entry
            formatter.repr_traceback_entry = broken
            try:
                return (yield)
            finally:
                formatter.repr_traceback_entry = saved
        """
    )
    pytester.makepyfile(
        """
        def test_deep():
            def down(n):
                return down(n + 1)
            down(0)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "pytest could not describe this call phase (SystemError: AST constructor *",
            "*return down(n + 1)",
            "RecursionError: maximum recursion depth exceeded*",
        ]
    )


# --- the claims report however the run ends --------------------------------------------------


def _run_report(pytester: pytest.Pytester, *args: str) -> dict[str, object]:
    pytester.runpytest("--claims-report=claims.json", *args)
    run: dict[str, object] = json.loads(Path(pytester.path, "claims.json").read_text())["run"]
    return run


def test_the_report_says_a_complete_run_was_not_interrupted(pytester: pytest.Pytester) -> None:
    """exit_status and interrupted are part of the run's record."""
    pytester.makepyfile("def test_x(): pass")
    run = _run_report(pytester)
    assert (run["exit_status"], run["interrupted"], run["interrupted_reason"]) == (0, False, "")


def test_the_report_is_written_when_x_stops_the_run(pytester: pytest.Pytester) -> None:
    """With -x the run stops at the first failure; the report is written and says so."""
    pytester.makepyfile("def test_a(): assert False\ndef test_b(): pass\n")
    run = _run_report(pytester, "-x")
    assert run["exit_status"] == 1
    assert run["interrupted"] is True
    assert run["interrupted_reason"] == "stopping after 1 failures"


def test_the_report_is_written_on_keyboard_interrupt(pytester: pytest.Pytester) -> None:
    """Ctrl-C (a KeyboardInterrupt in a test) ends the run; the report is written."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.claim("CF-1")
        def test_interrupted():
            raise KeyboardInterrupt

        @pytest.mark.claim("CF-2")
        def test_never_reached():
            pass
        """
    )
    pytester.inline_run("--claims-report=claims.json", no_reraise_ctrlc=True)
    report = json.loads((pytester.path / "claims.json").read_text())
    assert report["run"]["exit_status"] == pytest.ExitCode.INTERRUPTED
    assert report["run"]["interrupted"] is True
    specs = {
        s["nodeid"].split("::")[-1]: s["outcome"] for c in report["claims"] for s in c["specs"]
    }
    assert specs["test_never_reached"] == "not run"


@pytest.mark.platform("linux", "darwin")
def test_the_report_is_written_when_ctrl_c_stops_the_run(pytester: pytest.Pytester) -> None:
    """SIGINT (Ctrl-C) in the middle of a test stops the run; the report is written, says the
    run was interrupted, and the specs it never reached are not run."""
    pytester.makepyfile(
        """
        import signal
        import threading
        import pytest

        @pytest.mark.claim("CF-1")
        def test_waits_for_ctrl_c():
            # Ctrl-C as in a terminal, whatever the outer run's worker process passed down
            # (an ignored or blocked SIGINT is inherited through fork and exec).
            print("inherited:", signal.getsignal(signal.SIGINT), signal.pthread_sigmask(
                signal.SIG_UNBLOCK, {signal.SIGINT}), flush=True)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            print("READY", flush=True)
            threading.Event().wait(60)  # bounded: Ctrl-C comes long before

        @pytest.mark.claim("CF-2")
        def test_never_reached():
            pass
        """
    )
    command = [sys.executable, "-m", "pytest", "-s", "-p", "no:cacheprovider"]
    output = pytester.path / "output.txt"  # a file, not a pipe the child could fill and block on
    with output.open("w") as out:
        proc = pytester.popen([*command, "--claims-report=claims.json"], stdout=out)
    try:
        wait_until(
            lambda: "READY" in output.read_text() or proc.poll() is not None,
            timeout=hang_bound("medium"),
        )
        proc.send_signal(signal.SIGINT)
        try:
            status = proc.wait(timeout=hang_bound("medium"))
        except subprocess.TimeoutExpired:
            status = None  # still running: the assertion shows what it printed
        assert status == pytest.ExitCode.INTERRUPTED, output.read_text()
    finally:
        proc.kill()
        proc.wait()
    report = json.loads((pytester.path / "claims.json").read_text())
    assert report["run"]["interrupted"] is True
    specs = {
        s["nodeid"].split("::")[-1]: s["outcome"] for c in report["claims"] for s in c["specs"]
    }
    assert specs["test_never_reached"] == "not run"


def test_the_report_is_written_after_an_internal_error(pytester: pytest.Pytester) -> None:
    """An INTERNALERROR ends the run; the report is written and says so."""
    pytester.makeconftest(
        """
        def pytest_runtestloop(session):
            raise RuntimeError("a plugin broke")
        """
    )
    pytester.makepyfile("def test_x(): pass")
    run = _run_report(pytester)
    assert run["exit_status"] == pytest.ExitCode.INTERNAL_ERROR
    assert run["interrupted"] is True


# --- the hang budget -------------------------------------------------------------------------

BUDGETED = """
    import threading

    import pytest

    from pytest_concurrency import hang_bound

    @pytest.mark.parametrize("n", range(5))
    def test_waits_out_its_bound(n):
        released = threading.Event().wait(hang_bound("medium"))
        assert released, f"never released within {hang_bound('medium'):.2f} s"
"""


def test_once_the_budget_is_spent_later_bounds_shrink_and_the_report_says_from_where(
    pytester: pytest.Pytester,
) -> None:
    """Five tests each wait out a medium bound (0.6 s here). With --hang-budget=2 the second
    expiry spends the budget: the three after it wait a fifth as long; the summary and the
    claims report name the test from which bounds shrank, and every test still reports."""
    pytester.makepyfile(BUDGETED)

    result = pytester.runpytest(TINY, "--hang-budget=2", "--claims-report=claims.json")

    result.assert_outcomes(failed=5)
    result.stdout.fnmatch_lines(
        [
            "*hang budget*",
            "5 tests failed on a bound that ran out; the first: *test_waits_out_its_bound[[]0[]]*",
            "bounds shrank to 0.2 of themselves from *test_waits_out_its_bound[[]1[]] on*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*never released within 0.60 s*", "*never released within 0.12 s*"]
    )
    budget = json.loads(Path(pytester.path, "claims.json").read_text())["run"]["hang_budget"]
    assert (budget["limit"], budget["expired"], budget["spent"]) == (2, 5, True)
    assert budget["shrunk_from"].endswith("test_waits_out_its_bound[1]")


def test_with_the_budget_off_no_bound_shrinks(pytester: pytest.Pytester) -> None:
    """--hang-budget=off: every test waits its whole bound; the summary still counts them."""
    pytester.makepyfile(BUDGETED)

    result = pytester.runpytest(TINY, "--hang-budget=off")

    result.assert_outcomes(failed=5)
    assert "within 0.12 s" not in result.stdout.str()
    result.stdout.fnmatch_lines(["5 tests failed on a bound that ran out; the first: *"])
    assert "bounds shrank" not in result.stdout.str()


def test_a_bad_hang_budget_is_a_usage_error_naming_what_is_accepted(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_x(): pass")

    result = pytester.runpytest("--hang-budget=some")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown hang budget 'some'; accepted: a whole number*"])
