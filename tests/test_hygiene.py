"""The leak check: threads, processes, tasks, event loops, subprocess children, semaphores
and shared memory a test leaves behind; what broader fixtures and warm pools own is exempt."""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import subprocess
import sys
import threading

import pytest

from pytest_concurrency.hygiene import (
    Snapshot,
    Survivor,
    children_check_available,
    describe,
    join_all,
    keep_alive,
    pending_tasks,
    task_survivors,
)

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


def test_a_leftover_thread_fails_the_test_at_teardown_in_fail_mode(
    pytester: pytest.Pytester, gate
) -> None:
    """leak_check = fail (this repository's setting) errors the test that left a thread,
    naming it."""
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


def test_a_project_without_configuration_is_warned_of_a_leak_not_failed(
    pytester: pytest.Pytester, gate
) -> None:
    """Installing the plugin does not fail a project's tests: with no leak_check setting a
    leak is a warning (naming what was left), and the test passes."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")

    result = run_leaky_threads(pytester, gate)

    result.assert_outcomes(passed=3, warnings=1)
    result.stdout.fnmatch_lines(["*PytestWarning: the test left 1 thing(s) running*"])


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


def test_a_fixtures_thread_stopped_in_its_teardown_is_not_a_leak(
    pytester: pytest.Pytester,
) -> None:
    """A function-scoped fixture's thread, stopped and joined in the fixture's teardown, passes."""
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
    # (Warm pools of earlier tests may still have workers in this process.)
    assert "forgotten-child" not in [p.name for p in multiprocessing.active_children()]


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
    result.stdout.fnmatch_lines(
        ["*running after its teardown: task 'forgotten' (running sleep())*"]
    )


def test_a_task_of_the_test_that_a_fixture_stops_at_teardown_is_not_a_leak(
    pytester: pytest.Pytester,
) -> None:
    """The test starts a server task and leaves it; the server fixture's teardown stops it."""
    pytester.makepyfile(
        """
        import asyncio

        import pytest_asyncio

        @pytest_asyncio.fixture
        async def server():
            tasks = []
            yield tasks
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        async def test_x(server):
            serving = asyncio.Event()
            server.append(asyncio.get_running_loop().create_task(serving.wait(), name="serve"))
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


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


# --- the kinds beyond threads, processes and tasks --------------------------------------------

# Each inner file leaves one thing behind in ``test_leaks``, the same under allow_leaks in
# ``test_allowed``, and releases both in ``test_zz_release`` (run last), so that nothing
# outlives the outer test either.
LEFT_BEHIND = {
    "event loop": (
        """
        import asyncio
        import pytest

        HELD = []

        def test_leaks():
            HELD.append(asyncio.new_event_loop())

        @pytest.mark.allow_leaks(reason="closed by the last test")
        def test_allowed():
            HELD.append(asyncio.new_event_loop())

        def test_zz_release():
            for loop in HELD:
                loop.close()
        """,
        "event loop '<_UnixSelectorEventLoop running=False closed=False debug=False>' "
        "(not closed, created at *test_*.py:7)",
        "close event loops (or make them with asyncio.run or asyncio.Runner)",
    ),
    "child process": (
        """
        import subprocess
        import sys
        import pytest

        HELD = []
        NAP = [sys.executable, "-c", "import time; time.sleep(60)"]

        def test_leaks():
            HELD.append(subprocess.Popen(NAP))

        @pytest.mark.allow_leaks(reason="killed by the last test")
        def test_allowed():
            HELD.append(subprocess.Popen(NAP))

        def test_zz_release():
            for child in HELD:
                child.kill()
                child.wait(5)
        """,
        "child process '* -c import time; time.sleep(60)' "
        "(pid *, still running: terminated; wait() for it or kill() it)",
        "wait() for every subprocess.Popen (or use it in a with block)",
    ),
    "semaphore": (
        """
        import multiprocessing
        import pytest

        HELD = []

        def test_leaks():
            HELD.append(multiprocessing.get_context("spawn").Semaphore())

        @pytest.mark.allow_leaks(reason="released by the last test")
        def test_allowed():
            HELD.append(multiprocessing.get_context("spawn").Semaphore())

        def test_zz_release():
            HELD.clear()
        """,
        "semaphore '/*' (created at *test_*.py:7)",  # /mp-..., or /loky-... once loky is loaded
        "release multiprocessing locks, semaphores and queues of spawn and forkserver "
        "contexts (close queues, drop the references)",
    ),
    "shared memory": (
        """
        from multiprocessing import shared_memory
        import pytest

        NAMES = []

        def share():
            block = shared_memory.SharedMemory(create=True, size=16)
            block.close()  # closed, but never unlinked
            NAMES.append(block.name)

        def test_leaks():
            share()

        @pytest.mark.allow_leaks(reason="unlinked by the last test")
        def test_allowed():
            share()

        def test_zz_release():
            for name in NAMES:
                shared_memory.SharedMemory(name).unlink()
        """,
        "shared memory '/psm_*' (created at *test_*.py:7)",
        "close() and unlink() shared memory blocks",
    ),
    "thread of a function-scoped fixture": (
        """
        import threading
        import pytest

        STOP = threading.Event()

        @pytest.fixture
        def background():
            threading.Thread(target=STOP.wait, name="fixture-thread").start()

        def test_leaks(background):
            pass

        @pytest.mark.allow_leaks(reason="stopped by the last test")
        def test_allowed(background):
            pass

        def test_zz_release():
            STOP.set()
        """,
        "thread 'fixture-thread' (started while the test's fixtures were set up: stop it in "
        "the fixture's teardown)",
        "shut pools down, join threads",
    ),
}
UNIX_ONLY = {"child process", "semaphore", "shared memory"}


def left_behind(kind: str) -> object:
    marks = [pytest.mark.platform("linux")] if kind in UNIX_ONLY else []
    return pytest.param(kind, marks=marks, id=kind.replace(" ", "-"))


KINDS = [left_behind(kind) for kind in LEFT_BEHIND]


@pytest.mark.parametrize("kind", KINDS)
def test_what_a_test_leaves_behind_fails_it_naming_what_and_the_fix(
    pytester: pytest.Pytester, kind: str
) -> None:
    """Each kind is an error at teardown of the test that left it, saying what it is, where
    it was made (when known) and how to release it; allow_leaks exempts its test."""
    source, named, fix = LEFT_BEHIND[kind]
    pytester.makepyfile(source)
    result = pytester.runpytest("--hang-scale=0.01", "-p", "no:randomly")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaks*",
            f"*the test left 1 thing(s) * after its teardown: {named}. "
            f"Stop them in the test or its fixture ({fix}), or mark the test with "
            "@pytest.mark.allow_leaks(reason=...).",
        ]
    )


@pytest.mark.platform("linux")
def test_a_failed_test_is_not_blamed_for_what_only_its_failure_holds(
    pytester: pytest.Pytester,
) -> None:
    """pytest keeps a failed call's frames (for post-mortem debugging) until the next test's
    call, and with them the test's locals: a semaphore the frame's end would release is not a
    leak of the failed test. A thread the failed test leaves is still one."""
    pytester.makepyfile(
        """
        import multiprocessing
        import threading

        STOP = threading.Event()

        def test_fails_holding_a_semaphore():
            value = multiprocessing.get_context("spawn").Value("d", 0.0)
            assert value.value == 1.0

        def test_fails_leaving_a_thread():
            threading.Thread(target=STOP.wait, name="left-by-a-failure").start()
            assert False

        def test_zz_release():
            STOP.set()
        """
    )

    result = pytester.runpytest("--hang-scale=0.01", "-p", "no:randomly")

    result.assert_outcomes(passed=1, failed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_fails_leaving_a_thread*", "*thread 'left-by-a-failure'*"]
    )
    result.stdout.no_fnmatch_line("*semaphore '/*")


@pytest.mark.parametrize("kind", KINDS)
def test_warn_mode_reports_each_kind_as_a_warning(pytester: pytest.Pytester, kind: str) -> None:
    """--leak-check=warn lets the test pass and warns, naming what it left."""
    source, named, _ = LEFT_BEHIND[kind]
    pytester.makepyfile(source)
    result = pytester.runpytest("--hang-scale=0.01", "-p", "no:randomly", "--leak-check=warn")
    result.assert_outcomes(passed=3, warnings=1)
    result.stdout.fnmatch_lines([f"*PytestWarning: the test left 1 thing(s) *: {named}. *"])


@pytest.mark.parametrize("kind", KINDS)
def test_off_mode_does_not_look_for_any_kind(pytester: pytest.Pytester, kind: str) -> None:
    """--leak-check=off reports nothing."""
    pytester.makepyfile(LEFT_BEHIND[kind][0])
    result = pytester.runpytest("--hang-scale=0.01", "-p", "no:randomly", "--leak-check=off")
    result.assert_outcomes(passed=3)


def test_a_loop_dropped_without_being_closed_is_reported(pytester: pytest.Pytester) -> None:
    """A loop the test lets go of unclosed is reported even when collected before the check."""
    pytester.makepyfile(
        """
        import asyncio
        import gc

        def test_x():
            asyncio.new_event_loop()
            gc.collect()  # the loop's finalizer closes it, with a ResourceWarning
        """
    )
    result = pytester.runpytest("-W", "ignore::ResourceWarning")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*event loop '<_UnixSelectorEventLoop * closed=False *' (dropped without being closed"
            ", created at *test_a_loop_dropped*.py:5)*"
        ]
    )


def test_loops_closed_by_asyncio_run_and_pytest_asyncio_are_not_leaks(
    pytester: pytest.Pytester,
) -> None:
    """asyncio.run, a closed new_event_loop, and the async tests' own loops (function and
    module scope) pass."""
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        def test_run():
            asyncio.run(asyncio.sleep(0))

        def test_closed():
            loop = asyncio.new_event_loop()
            loop.close()

        async def test_function_loop():
            await asyncio.sleep(0)

        @pytest.mark.asyncio(loop_scope="module")
        async def test_module_loop():
            await asyncio.sleep(0)

        @pytest.mark.asyncio(loop_scope="module")
        async def test_module_loop_again():
            await asyncio.sleep(0)
        """
    )
    result = pytester.runpytest("--loop-flavours=asyncio,uvloop,virtual")
    result.assert_outcomes(passed=11)  # two plain tests, three async ones under three flavours


@pytest.mark.platform("linux")
def test_a_child_that_exited_but_was_never_waited_for_is_reported(
    pytester: pytest.Pytester,
) -> None:
    """A zombie (a Popen that ended and was never waited for) is named with its pid."""
    pytester.makepyfile(
        """
        import os
        import subprocess
        import sys

        HELD = []

        def test_leaks():
            child = subprocess.Popen([sys.executable, "-c", "pass"])
            HELD.append(child)
            os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped

        def test_zz_release():
            for child in HELD:
                child.wait(5)
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*child process '*' (pid *, exited but never waited for: call wait() on its Popen)*"]
    )


@pytest.mark.platform("linux")
def test_waited_children_and_released_resources_are_not_leaks(
    pytester: pytest.Pytester,
) -> None:
    """A waited Popen, a lock of a fixture's value (released with it), a queue that is
    closed and dropped, and shared memory closed and unlinked all pass."""
    pytester.makepyfile(
        """
        import multiprocessing
        import subprocess
        import sys
        from multiprocessing import shared_memory
        import pytest

        @pytest.fixture
        def lock():
            return multiprocessing.get_context("spawn").Lock()

        def test_waited():
            with subprocess.Popen([sys.executable, "-c", "pass"]) as child:
                child.wait(5)

        def test_fixture_value(lock):
            with lock:
                pass

        def test_queue():
            queue = multiprocessing.get_context("forkserver").Queue()
            queue.close()

        def test_shared_memory():
            block = shared_memory.SharedMemory(create=True, size=16)
            block.close()
            block.unlink()
        """
    )
    pytester.runpytest().assert_outcomes(passed=4)


# --- what broader fixtures start is theirs ----------------------------------------------------

BROADER_FIXTURES = """
    import asyncio
    import multiprocessing
    import subprocess
    import sys
    import threading
    import pytest

    @pytest.fixture(scope="{scope}")
    def service():
        stop = threading.Event()
        worker = threading.Thread(target=stop.wait, name="shared-service")
        worker.start()
        loop = asyncio.new_event_loop()
        lock = multiprocessing.get_context("spawn").Lock()
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        yield worker
        stop.set()
        worker.join()
        loop.close()
        del lock
        child.kill()
        child.wait(5)

    def test_first(service):
        assert service.is_alive()

    def test_second(service):
        assert service.is_alive()

    class TestInAClass:
        def test_third(self, service):
            assert service.is_alive()
"""


@pytest.mark.parametrize("scope", ["session", "package", "module", "class"])
def test_what_a_broader_fixture_starts_is_not_blamed_on_the_test(
    pytester: pytest.Pytester, scope: str
) -> None:
    """A thread, loop, semaphore and child a class/module/package/session fixture starts in
    its setup, and stops at its teardown, belong to the fixture: no test is blamed."""
    pytester.makepyfile(BROADER_FIXTURES.replace("{scope}", scope))
    result = pytester.runpytest("--hang-scale=0.01", "-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_what_a_broader_fixture_leaves_at_its_teardown_is_blamed_on_that_test_only_if_function(
    pytester: pytest.Pytester,
) -> None:
    """The same fixture at function scope, stopping nothing, fails its test naming the thread."""
    pytester.makepyfile(
        """
        import threading
        import pytest

        STOP = threading.Event()

        @pytest.fixture(scope="module")
        def shared():
            threading.Thread(target=STOP.wait, name="module-thread").start()

        @pytest.fixture
        def own():
            threading.Thread(target=STOP.wait, name="function-thread").start()

        def test_shared(shared):
            pass

        def test_own(own):
            pass

        def test_zz_release():
            STOP.set()
        """
    )
    result = pytester.runpytest("--hang-scale=0.01", "-p", "no:randomly")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_own*", "*'function-thread'*"])
    result.stdout.no_fnmatch_line("*module-thread*")


def test_warm_pool_workers_are_not_leaks(pytester: pytest.Pytester) -> None:
    """Pools kept warm across tests (their workers and queues' semaphores) are not reported."""
    pytester.makepyfile(
        """
        def test_thread(executor_factory):
            assert executor_factory("thread", 2).submit(abs, -1).result(5) == 1

        def test_spawn(executor_factory):
            assert executor_factory("process-spawn", 1).submit(abs, -1).result(30) == 1

        def test_spawn_again(executor_factory):
            assert executor_factory("process-spawn", 1).submit(abs, -2).result(30) == 2
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


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
        found = task_survivors(pending_tasks(loop, before))
        stuck.cancel()
        return found

    assert asyncio.run(main()) == [Survivor("task", "stuck", detail="running Event.wait()")]


def test_describe_says_behind_for_what_is_not_running_and_gives_each_kinds_fix() -> None:
    """Loops and named resources are left behind, not running; each kind's fix is named once."""
    semaphores = [Survivor("semaphore", "/mp-1"), Survivor("semaphore", "/mp-2")]
    message = describe([Survivor("event loop", "a"), *semaphores])
    assert message.startswith("the test left 3 thing(s) behind after its teardown: ")
    assert message.count("release multiprocessing locks") == 1
    assert "close event loops" in message


def test_kept_alive_threads_are_not_survivors() -> None:
    """A thread registered with keep_alive (a warm pool's worker) is not counted."""
    gate = threading.Event()
    snapshot = Snapshot()
    kept = threading.Thread(target=gate.wait, name="kept")
    kept.start()
    try:
        keep_alive([kept])
        assert snapshot.survivors(0.01) == []
    finally:
        gate.set()
        kept.join()


@pytest.mark.platform("linux")
def test_a_kept_process_pool_leaves_no_workers_or_semaphores_behind() -> None:
    """keep_alive(pool) covers the pool's worker processes, threads and queue semaphores."""
    snapshot = Snapshot()
    spawn = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn)
    try:
        assert pool.submit(abs, -1).result(timeout=60) == 1
        keep_alive([pool])
        assert snapshot.survivors(0.01) == []
    finally:
        pool.shutdown(wait=True)


@pytest.mark.platform("linux")
def test_a_snapshot_finds_a_child_started_after_it_and_terminates_it() -> None:
    """A subprocess child still running is reported with its command and terminated."""
    assert children_check_available()
    snapshot = Snapshot()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        [survivor] = snapshot.survivors(0.01)
        assert survivor.what == "child process"
        assert survivor.name.endswith("-c import time; time.sleep(60)")
        assert survivor.detail == (
            f"pid {child.pid}, still running: terminated; wait() for it or kill() it"
        )
        assert child.wait(5) == -15  # SIGTERM
    finally:
        child.kill()
        child.wait()


# --- what other plugins' hooks make ----------------------------------------------------------

# A plugin that, like looptime's pytest_pyfunc_call wrapper, makes an event loop in a hook
# around every test and never closes it (here through a helper, and once per process).
OTHER_PLUGIN = """
    import asyncio
    import pytest

    made = []

    def _loop_for_later():
        if not made:
            made.append(asyncio.new_event_loop())

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(pyfuncitem):
        _loop_for_later()
        return (yield)
"""


def test_a_loop_another_plugins_hook_leaves_open_is_not_blamed_on_the_test(
    pytester: pytest.Pytester,
) -> None:
    """What another plugin's hook makes is not the test's doing: the tests pass under
    leak_check = fail and with warnings made errors, and the run's summary names the hook once,
    with what it made and the first test it ran around (here over two xdist workers too)."""
    pytester.makepyfile(otherplugin=OTHER_PLUGIN)
    pytester.syspathinsert()
    pytester.makepyfile(
        """
        import pytest

        def test_raises():
            with pytest.raises(NotImplementedError):
                raise NotImplementedError

        def test_plain():
            pass
        """
    )

    alone = pytester.runpytest("-p", "otherplugin", "-p", "no:randomly", "-W", "error")
    # The xdist workers load the plugin through a conftest (their sys.path has the rootdir).
    pytester.makeconftest('pytest_plugins = ["otherplugin"]')
    parallel = pytester.runpytest("-p", "no:randomly", "-n", "2")

    for result in (alone, parallel):
        result.assert_outcomes(passed=2)
        result.stdout.fnmatch_lines(
            [
                "*leak check: made by other plugins' hooks, not counted*",
                "event loop (not closed, created at *otherplugin.py:8): made by the hook "
                "pytest_pyfunc_call of otherplugin (first during test_a_loop_another*::test_*)",
            ]
        )
    assert alone.stdout.str().count("made by the hook") == 1


def test_a_loop_the_test_leaves_open_still_fails_it_beside_such_a_plugin(
    pytester: pytest.Pytester,
) -> None:
    """The rule is about who made it: a loop the test body makes and leaves open fails the
    test as before, beside a plugin whose hook makes one too."""
    pytester.makepyfile(otherplugin=OTHER_PLUGIN)
    pytester.syspathinsert()
    pytester.makepyfile(
        """
        import asyncio

        kept = []

        def test_leaves_a_loop():
            kept.append(asyncio.new_event_loop())

        def test_zz_close():
            kept.pop().close()
        """
    )

    result = pytester.runpytest(
        "-p", "otherplugin", "-p", "no:randomly", "-W", "ignore::ResourceWarning"
    )

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*the test left 1 thing(s) *event loop*created at *test_a_loop_the_test_leaves*.py:6)*"]
    )


def test_a_loop_a_conftest_hook_makes_is_the_hooks_too(pytester: pytest.Pytester) -> None:
    """A conftest's hooks are hooks like any plugin's: what they make is not the test's."""
    pytester.makeconftest(OTHER_PLUGIN)
    pytester.makepyfile("def test_x():\n    pass\n")

    result = pytester.runpytest()

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*made by the hook pytest_pyfunc_call of conftest*"])


def test_looptime_installed_beside_the_plugin_does_not_fail_a_sync_test(
    pytester: pytest.Pytester,
) -> None:
    """With looptime installed (not enabled), its pytest_pyfunc_call wrapper makes an event
    loop through the policy around a plain sync test; the test passes under leak_check = fail,
    and the loop is reported once, as looptime's."""
    pytest.importorskip("looptime", reason="looptime is not installed (tox -e coexistence has it)")
    pytester.makepyfile(
        """
        import pytest

        def f(text):
            raise NotImplementedError(text)

        def test_x():
            with pytest.raises(NotImplementedError):
                f("foo")

        def test_y():
            pass
        """
    )

    # In a process of its own, as a user's run (looptime makes its loop once per process), with
    # every other warning an error, as async-lru's suite has it.
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-W", "error", "-W", "ignore::DeprecationWarning"
    )

    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*made by the hook pytest_pyfunc_call of looptime.*"])


def test_off_mode_touches_nothing(pytester: pytest.Pytester) -> None:
    """--leak-check=off wraps no loop class and no resource-tracker function and adds no
    audit hook, even around a session fixture and an executor fixture (in a fresh process,
    as a user's run)."""
    pytester.makepyfile(
        """
        import asyncio
        from multiprocessing import resource_tracker

        import pytest

        from pytest_concurrency.hygiene import registries

        @pytest.fixture(scope="session")
        def session_thing():
            return 1

        def test_nothing_is_wrapped(session_thing, thread_executor):
            assert thread_executor.submit(pow, 2, 3).result(10) == 8
            asyncio.new_event_loop().close()
            assert asyncio.BaseEventLoop.__init__.__module__ == "asyncio.base_events"
            assert resource_tracker.register.__module__ == "multiprocessing.resource_tracker"
            assert resource_tracker.unregister.__module__ == "multiprocessing.resource_tracker"
            assert registries._wrapped == set()  # nor the audit hook, added once with them
        """
    )

    result = pytester.runpytest_subprocess("--leak-check=off", "-p", "no:randomly")

    result.assert_outcomes(passed=1)
