"""The leak check: threads, child processes and tasks a test leaves running."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading

import pytest

from pytest_concurrency.hygiene import Snapshot, Survivor, describe, join_all, pending_tasks

LEAKY_THREAD = """
    import threading
    import pytest

    def test_leaves_a_thread(gate):
        threading.Thread(target=gate.wait, name="leaked-worker").start()

    @pytest.mark.allow_leaks(reason="the gate is opened by the outer test")
    def test_allowed_to_leave_a_thread(gate):
        threading.Thread(target=gate.wait, name="leaked-allowed").start()

    def test_tidy(gate):
        worker = threading.Thread(target=lambda: None, name="tidy-worker")
        worker.start()
        worker.join()
"""


def run_leaky_threads(pytester: pytest.Pytester, gate, *args: str) -> pytest.RunResult:
    pytester.makepyfile(LEAKY_THREAD)
    # A tiny hang scale: the grace period for threads to end is 5 s x 0.01.
    result = pytester.runpytest("--hang-scale=0.01", "-rw", *args, plugins=[gate])
    gate.open_and_join("leaked-")
    return result


# --- through pytest --------------------------------------------------------------------------


def test_a_leftover_thread_fails_the_test_at_teardown_by_default(
    pytester: pytest.Pytester, gate
) -> None:
    """--leak-check=fail (the default) errors the test that left a thread, naming it."""
    result = run_leaky_threads(pytester, gate)
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaves_a_thread*",
            "*the test left 1 thing(s) running after its teardown: thread 'leaked-worker'. "
            "Stop them in the test or its fixture*allow_leaks(reason=...).",
        ]
    )
    result.stdout.no_fnmatch_line("*leaked-allowed*")


def test_warn_mode_reports_the_leftover_thread_as_a_warning(
    pytester: pytest.Pytester, gate
) -> None:
    """--leak-check=warn lets the test pass and warns, naming what was left."""
    result = run_leaky_threads(pytester, gate, "--leak-check=warn")
    result.assert_outcomes(passed=3, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*PytestWarning: the test left 1 thing(s) running after its teardown: "
            "thread 'leaked-worker'*"
        ]
    )


def test_off_mode_does_not_look(pytester: pytest.Pytester, gate) -> None:
    """--leak-check=off reports nothing."""
    result = run_leaky_threads(pytester, gate, "--leak-check=off")
    result.assert_outcomes(passed=3)
    result.stdout.no_fnmatch_line("*left 1 thing*")


def test_the_leak_check_ini_twin_chooses_the_mode(
    pytester: pytest.Pytester, gate, make_ini
) -> None:
    """leak_check = warn in the ini file works like the option."""
    make_ini("leak_check = warn")
    result = run_leaky_threads(pytester, gate)
    result.assert_outcomes(passed=3, warnings=1)


def test_a_thread_that_ends_within_the_grace_period_is_not_a_leak(
    pytester: pytest.Pytester,
) -> None:
    """A thread finishing on its own just after the test is given time to end."""
    pytester.makepyfile(
        """
        import threading

        def test_x():
            gate = threading.Event()
            threading.Thread(target=gate.wait, name="late-finisher").start()
            gate.set()  # the thread ends, but the test does not join it
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_threads_started_by_fixtures_are_counted_only_if_they_outlive_teardown(
    pytester: pytest.Pytester,
) -> None:
    """A fixture's thread stopped in its teardown is no leak; the snapshot is taken after setup."""
    pytester.makepyfile(
        """
        import threading
        import pytest

        @pytest.fixture
        def background():
            stop = threading.Event()
            worker = threading.Thread(target=stop.wait, name="fixture-worker")
            worker.start()
            yield worker
            stop.set()
            worker.join()

        def test_x(background):
            assert background.is_alive()
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.platform("linux")
def test_a_leftover_child_process_is_stopped_and_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    """A child process still running after teardown is terminated and named in the failure."""
    pytester.makepyfile(
        """
        import multiprocessing
        import time

        def test_x():
            child = multiprocessing.get_context("fork").Process(
                target=time.sleep, args=(60,), name="forgotten-child"
            )
            child.start()
        """
    )
    result = pytester.runpytest("--hang-scale=0.01")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*running after its teardown: process 'forgotten-child'*"])
    assert multiprocessing.active_children() == []


def test_a_leftover_task_of_the_test_body_is_reported(pytester: pytest.Pytester) -> None:
    """A task the test created and neither awaited nor cancelled fails the test."""
    pytester.makepyfile(
        """
        import asyncio

        async def test_x():
            asyncio.get_running_loop().create_task(asyncio.sleep(3600), name="forgotten")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*running after its teardown: task 'forgotten'*"])


def test_tasks_of_fixtures_and_finished_tasks_are_not_leaks(pytester: pytest.Pytester) -> None:
    """A fixture's background task (cancelled at its teardown) and awaited tasks pass."""
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.fixture
        async def ticker():
            task = asyncio.get_running_loop().create_task(asyncio.sleep(3600), name="ticker")
            yield task
            task.cancel()

        async def test_x(ticker):
            done = asyncio.get_running_loop().create_task(asyncio.sleep(0), name="awaited")
            await done
            assert not ticker.done()
        """
    )
    pytester.runpytest("--loop-flavours=virtual,asyncio").assert_outcomes(passed=2)


def test_allow_leaks_exempts_a_leftover_task(pytester: pytest.Pytester) -> None:
    """The allow_leaks marker turns the check off for one test."""
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.mark.allow_leaks(reason="the loop's teardown cancels it")
        async def test_x():
            asyncio.get_running_loop().create_task(asyncio.sleep(3600), name="forgotten")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


# --- the helpers on their own ----------------------------------------------------------------


def test_a_survivor_reads_as_what_name_and_owner() -> None:
    """Survivors print as a short phrase."""
    assert str(Survivor("thread", "w-1", "ThreadPoolExecutor")) == (
        "thread 'w-1' of ThreadPoolExecutor"
    )
    assert str(Survivor("task", "Task-3")) == "task 'Task-3'"


def test_describe_counts_and_names_what_was_left() -> None:
    """The failure message counts the survivors, names them and says how to fix it."""
    message = describe([Survivor("thread", "a"), Survivor("process", "b")])
    assert message.startswith(
        "the test left 2 thing(s) running after its teardown: thread 'a'; process 'b'. "
    )
    assert message.endswith("@pytest.mark.allow_leaks(reason=...).")


def test_join_all_returns_the_threads_still_alive_at_the_bound() -> None:
    """Finished threads are joined; blocked ones are returned as survivors."""
    gate = threading.Event()
    finished = threading.Thread(target=lambda: None, name="finished")
    blocked = threading.Thread(target=gate.wait, name="blocked")
    finished.start()
    blocked.start()
    try:
        assert join_all([finished, blocked], 0.01, owner="test") == [
            Survivor("thread", "blocked", "test")
        ]
    finally:
        gate.set()
        blocked.join()


def test_a_snapshot_finds_only_threads_started_after_it() -> None:
    """Threads alive at the snapshot are not counted; new ones still running are."""
    gate = threading.Event()
    snapshot = Snapshot()
    late = threading.Thread(target=gate.wait, name="after-snapshot")
    late.start()
    try:
        assert snapshot.survivors(0.01) == [Survivor("thread", "after-snapshot")]
    finally:
        gate.set()
        late.join()
    assert snapshot.survivors(0.01) == []


def test_pending_tasks_lists_unfinished_tasks_not_in_before() -> None:
    """Tasks present before, or done, are not pending leftovers."""

    async def main() -> list[Survivor]:
        loop = asyncio.get_running_loop()
        before = asyncio.all_tasks(loop)
        done = loop.create_task(asyncio.sleep(0), name="done")
        await done
        stuck = loop.create_task(asyncio.Event().wait(), name="stuck")
        found = pending_tasks(loop, before)
        stuck.cancel()
        return found

    assert asyncio.run(main()) == [Survivor("task", "stuck")]
