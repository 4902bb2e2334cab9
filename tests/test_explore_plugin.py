"""The pytest face of exploration: the explore marker, the steps fixture, the options."""

from __future__ import annotations

import importlib.util
import re

import pytest

LOST_UPDATE = """
import pytest

@pytest.fixture
def made():
    made.count = getattr(made, "count", 0) + 1
    return made.count

@pytest.mark.explore({args})
def test_counter(steps, made):
    assert made == 1, "fixtures are set up once per test"
    counter = {{"n": 0}}
    def increment(who):
        with steps.step(f"{{who}} reads"):
            seen = counter["n"]
        with steps.step(f"{{who}} writes"):
            counter["n"] = seen + 1
    steps.run_threads(increment, "a", "b")
    assert counter["n"] == 2, "lost an update"
"""


def test_a_failing_exploration_is_the_tests_failure_with_the_report(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(LOST_UPDATE.format(args=""))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*interleaving exploration (threads): exhaustive, no preemption bound, 6 schedules*",
            "*4 of 6 schedules failed*",
            "*first failing schedule (1 preemption):*",
            "*outcome: AssertionError: lost an update*",
            "*--explore-replay='test_a_failing_exploration_is_the_tests_failure_with_the_report"
            ".py::test_counter=a reads|b reads|b writes|a writes'*",
            "*possible switch point*",
        ]
    )


def test_a_passing_exploration_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.explore(max_preemptions=2)
        def test_locked(steps):
            counter = {"n": 0}
            lock = steps.lock()
            def increment(who):
                with lock:
                    with steps.step(f"{who} reads"):
                        seen = counter["n"]
                    with steps.step(f"{who} writes"):
                        counter["n"] = seen + 1
            steps.run_threads(increment, "a", "b")
            assert counter["n"] == 2
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_explore_replay_runs_one_schedule(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(LOST_UPDATE.format(args=""))
    nodeid = f"{path.name}::test_counter"
    result = pytester.runpytest(f"--explore-replay={nodeid}=a reads|a writes|b reads|b writes")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest(f"--explore-replay={nodeid}=a reads|b reads|a writes|b writes")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*interleaving exploration (threads): replay*1 schedules*"])


@pytest.mark.parametrize("how", ["option", "ini"])
def test_explore_seed_sets_the_seed_and_is_printed(pytester: pytest.Pytester, how: str) -> None:
    pytester.makepyfile(LOST_UPDATE.format(args="mode='random', runs=20"))
    if how == "ini":
        pytester.makeini(
            "[pytest]\nexplore_seed = 4242\nasyncio_default_fixture_loop_scope = function\n"
        )
        args: tuple[str, ...] = ()
    else:
        args = ("--explore-seed=4242",)
    result = pytester.runpytest(*args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*random, no preemption bound, seed 4242*"])


def test_the_default_seed_is_the_same_run_after_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(LOST_UPDATE.format(args="mode='pct', runs=20"))
    seeds = []
    for _ in range(2):
        result = pytester.runpytest("-p", "no:randomly")
        seeds += re.findall(r"seed (\d+)", result.stdout.str())
    assert len(seeds) >= 2
    assert len(set(seeds)) == 1


def test_a_bad_seed_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--explore-seed=abc")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--explore-seed takes an integer, got 'abc'*"])


def test_an_async_test_is_explored_on_its_loop(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.loop_flavours("asyncio", "virtual")
        @pytest.mark.explore()
        async def test_counter(steps):
            counter = {"n": 0}
            async def increment(who):
                async with steps.step(f"{who} reads"):
                    seen = counter["n"]
                async with steps.step(f"{who} writes"):
                    counter["n"] = seen + 1
            await steps.run_tasks(increment, "a", "b")
            assert counter["n"] == 2, "lost an update"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["*interleaving exploration (tasks): exhaustive*", "*4 of 6 schedules failed*"]
    )


def test_the_steps_fixture_needs_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(steps): pass")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the steps fixture is for tests marked @pytest.mark.explore*"])


def test_a_deadlock_fails_the_test_and_leaves_no_thread(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.explore()
        def test_transfer(steps):
            first, second = steps.lock("first"), steps.lock("second")
            def transfer(who):
                one, other = (first, second) if who == "a" else (second, first)
                with one, other:
                    pass
            steps.run_threads(transfer, "a", "b")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*2 of 4 schedules failed*", "*DeadlockError: deadlock: a waits to*"]
    )
    result.stdout.no_fnmatch_line("*after its teardown*")
    result.stdout.no_fnmatch_line("*left*running*")


READY = """
import asyncio
import pytest

async def nothing():
    return None

@pytest.mark.loop_flavours("ready-callback", "asyncio", "uvloop", "rloop")
@pytest.mark.explore()
@pytest.mark.parametrize("suspends", [True, False])
async def test_increment_across_an_await(suspends):
    state = {"n": 0}
    async def increment():
        seen = state["n"]
        await (asyncio.sleep(0) if suspends else nothing())
        state["n"] = seen + 1
    await asyncio.gather(increment(), increment())
    assert state["n"] == 2, "lost an update"
"""


def test_ready_callback_mode_explores_real_suspension_points(pytester: pytest.Pytester) -> None:
    """AIO-4/AIO-12 in ready-callback mode: across await asyncio.sleep(0) an update is lost
    in 12 of 20 orders, in 0 of 6 across a coroutine that never suspends. Other loops skip,
    saying why."""
    pytester.makepyfile(READY)
    result = pytester.runpytest("-rs")
    result.assert_outcomes(failed=1, passed=1, skipped=6)
    result.stdout.fnmatch_lines(
        [
            "*interleaving exploration (ready callbacks): exhaustive*20 schedules (all)*",
            "*12 of 20 schedules failed*",
        ]
    )
    result.stdout.fnmatch_lines(["*exploring ready callbacks needs the loop flavour*"])
    if importlib.util.find_spec("uvloop") is not None:
        result.stdout.fnmatch_lines(
            ["*needs the pure-Python loop flavour 'ready-callback': uvloop runs its callbacks*"]
        )


def test_the_ready_callback_flavour_is_not_part_of_all(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        async def test_x():
            pass
        """
    )
    result = pytester.runpytest("--loop-flavours=all", "-v")
    result.stdout.no_fnmatch_line("*ready-callback*")


def test_a_marker_with_a_wrong_keyword_fails_its_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.explore(bound=2)
        def test_x(steps):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*explore() does not take *bound*; accepted: mode, runs*"])
