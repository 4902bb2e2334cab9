"""Interleaving exploration: counts, replay, seeds, preemption bounds, deadlocks, hangs, tasks."""

from __future__ import annotations

import asyncio
import math
import threading
from collections import Counter
from typing import Any

import pytest

from pytest_concurrency import (
    AsyncSequencer,
    Exploration,
    Sequencer,
    explore,
    explore_async,
)
from pytest_concurrency.exploration import Raised, explore_ready

ALL_FLAVOURS = ("asyncio", "debug", "eager", "virtual", "uvloop", "rloop")


def lost_update(steps: Any) -> int:
    counter = {"n": 0}

    def increment(who: str) -> None:
        with steps.step(f"{who} reads"):
            seen = counter["n"]
        with steps.step(f"{who} writes"):
            counter["n"] = seen + 1

    steps.run_threads(increment, "a", "b")
    return counter["n"]


def locked_update(steps: Any) -> int:
    counter = {"n": 0}
    lock = steps.lock()

    def increment(who: str) -> None:
        with lock:
            with steps.step(f"{who} reads"):
                seen = counter["n"]
            with steps.step(f"{who} writes"):
                counter["n"] = seen + 1

    steps.run_threads(increment, "a", "b")
    return counter["n"]


def workers_of(*counts: int) -> Any:
    def scenario(steps: Any) -> None:
        def work(who: str) -> None:
            for _ in range(counts[int(who[1:])]):
                with steps.step(f"{who} step"):
                    pass

        steps.run_threads(work, *(f"w{i}" for i in range(len(counts))))

    return scenario


def explorer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("explore-worker")]


# --- counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("counts", "expected"), [((2, 2), 6), ((3, 3), 20), ((4, 4), 70)])
def test_two_workers_give_the_binomial_number_of_schedules(
    counts: tuple[int, int], expected: int
) -> None:
    result = explore(workers_of(*counts))
    assert result.schedules == expected
    assert result.complete


@pytest.mark.parametrize("counts", [(1, 2, 1), (2, 1, 2), (1, 1, 1, 1)])
def test_n_workers_give_the_multinomial_number_of_schedules(counts: tuple[int, ...]) -> None:
    expected = math.factorial(sum(counts))
    for k in counts:
        expected //= math.factorial(k)
    result = explore(workers_of(*counts))
    assert result.schedules == expected
    assert len({tuple(s.steps) for s in result.runs}) == expected


def test_the_issue_example() -> None:
    result = explore(lost_update)
    assert isinstance(result, Exploration)
    assert result.schedules == 6
    assert result.outcomes == {1: 4, 2: 2}
    assert result.mode == "exhaustive"
    with pytest.raises(AssertionError) as raised:
        result.assert_all(lambda n: n == 2)
    report = str(raised.value)
    assert "4 of 6 schedules failed" in report
    assert "exhaustive" in report
    assert "no preemption bound" in report
    assert "(1 preemption)" in report
    assert "replay=" in report
    assert "--explore-replay=" in report
    assert "possible switch point" in report
    assert result.first_failure is not None
    assert len(report.splitlines()) < 25


def test_a_cooperative_lock_leaves_no_lost_update() -> None:
    result = explore(locked_update)
    assert result.outcomes == {2: result.schedules}
    assert result.schedules == 2
    result.assert_all(lambda n: n == 2)


def test_repeated_steps_are_numbered() -> None:
    def scenario(steps: Any) -> None:
        def work(who: str) -> None:
            for _ in range(2):
                with steps.step(f"{who} loops"):
                    pass

        steps.run_threads(work, "a", "b")

    result = explore(scenario)
    assert result.schedules == 6
    assert result.runs[0].steps == ["a loops", "a loops#2", "b loops", "b loops#2"]


def test_an_exception_in_a_worker_is_an_outcome() -> None:
    def scenario(steps: Any) -> None:
        assert lost_update(steps) == 2, "lost an update"

    result = explore(scenario)
    assert result.outcomes[None] == 2
    (raised,) = (outcome for outcome in result.outcomes if outcome is not None)
    assert result.outcomes[raised] == 4
    assert raised.type == "AssertionError"
    assert raised.message.startswith("lost an update")
    assert len(result.failures) == 4
    assert result.first_failure in (
        ["a reads", "b reads", "b writes", "a writes"],
        ["b reads", "a reads", "a writes", "b writes"],
    )


def test_a_step_name_two_workers_share_is_refused() -> None:
    def scenario(steps: Any) -> None:
        def work(who: str) -> None:
            with steps.step("read"):
                pass

        steps.run_threads(work, "a", "b")

    result = explore(scenario)
    assert result.failures
    assert "used by workers 'a' and 'b'" in str(result.failures[0].outcome)


# --- replay ----------------------------------------------------------------------------------


def test_the_first_failure_replays_with_explore_and_with_a_sequencer() -> None:
    result = explore(lost_update)
    with pytest.raises(AssertionError):
        result.assert_all(lambda n: n == 2)
    schedule = result.first_failure
    assert schedule is not None
    for _ in range(20):
        again = explore(lost_update, replay=schedule)
        assert again.schedules == 1
        assert again.outcomes == {1: 1}
        assert again.runs[0].steps == schedule
        sequencer = Sequencer(schedule)
        assert lost_update(sequencer) == 1
        assert sequencer.log == schedule
    text = "|".join(schedule)
    assert explore(lost_update, replay=text).outcomes == {1: 1}


def test_a_replay_that_does_not_fit_is_reported() -> None:
    result = explore(lost_update, replay=["a reads", "c reads"])
    assert result.schedules == 1
    (outcome,) = result.outcomes
    assert isinstance(outcome, Raised)
    assert outcome.type == "ReplayError"
    assert "'c reads'" in outcome.message


@pytest.mark.loop_flavours("asyncio", "virtual")
async def test_an_async_schedule_replays_with_an_async_sequencer() -> None:
    result = await explore_async(async_lost_update)
    with pytest.raises(AssertionError):
        result.assert_all(lambda n: n == 2)
    schedule = result.first_failure
    assert schedule is not None
    for _ in range(20):
        assert (await explore_async(async_lost_update, replay=schedule)).outcomes == {1: 1}
        sequencer = AsyncSequencer(schedule)
        assert await async_lost_update(sequencer) == 1
        assert sequencer.log == schedule


# --- preemption bounds -----------------------------------------------------------------------


def test_a_preemption_bound_of_one_leaves_four_schedules_two_failing() -> None:
    result = explore(lost_update, max_preemptions=1)
    assert result.schedules == 4
    assert result.outcomes == {1: 2, 2: 2}
    assert max(s.preemptions for s in result.runs) == 1


def test_bounds_are_tried_in_turn_and_failures_come_fewest_preemptions_first() -> None:
    result = explore(lost_update, max_preemptions=2)
    assert result.schedules == 6
    assert [s.preemptions for s in result.runs] == sorted(s.preemptions for s in result.runs)
    with pytest.raises(AssertionError, match=r"\(1 preemption\)"):
        result.assert_all(lambda n: n == 2)
    assert [s.preemptions for s in result.failures] == [1, 1, 2, 2]


def test_a_bound_of_zero_runs_each_worker_to_its_end() -> None:
    result = explore(workers_of(3, 3), max_preemptions=0)
    assert result.schedules == 2


def test_a_space_over_the_budget_is_said_to_be_so() -> None:
    result = explore(workers_of(4, 4, 4), runs=100)
    assert result.schedules == 100
    assert result.truncated
    assert not result.complete
    with pytest.raises(AssertionError, match="not exhaustive: the space has more than 100"):
        result.assert_all(lambda _: True)


# --- random and PCT --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["random", "pct"])
def test_the_same_seed_gives_the_same_schedules(mode: str) -> None:
    first = explore(lost_update, mode=mode, seed=1234, runs=50)
    second = explore(lost_update, mode=mode, seed=1234, runs=50)
    other = explore(lost_update, mode=mode, seed=99, runs=50)
    assert [s.steps for s in first.runs] == [s.steps for s in second.runs]
    assert [s.steps for s in first.runs] != [s.steps for s in other.runs]
    assert first.seed == 1234
    assert first.mode == mode
    assert "seed 1234" in first.report()


PINNED = {
    "random": [
        "b reads|b writes|a reads|a writes",
        "b reads|b writes|a reads|a writes",
        "b reads|a reads|a writes|b writes",
        "b reads|a reads|b writes|a writes",
    ],
    "pct": [
        "a reads|a writes|b reads|b writes",
        "a reads|a writes|b reads|b writes",
        "a reads|a writes|b reads|b writes",
        "b reads|b writes|a reads|a writes",
    ],
}


@pytest.mark.parametrize("mode", ["random", "pct"])
def test_a_seed_gives_the_same_schedules_on_every_interpreter(mode: str) -> None:
    """random.Random(int) and no salted hash(): these schedules were recorded once and hold on
    3.10 to 3.15 and free-threaded builds."""
    result = explore(lost_update, mode=mode, seed=2024, runs=4)
    assert ["|".join(s.steps) for s in result.runs] == PINNED[mode]


@pytest.mark.parametrize("mode", ["random", "pct"])
def test_random_modes_find_the_lost_update(mode: str) -> None:
    result = explore(lost_update, mode=mode, seed=7, runs=100)
    assert result.schedules == 100
    assert result.outcomes[1] > 0


def test_a_clean_random_run_says_what_it_bounds() -> None:
    result = explore(locked_update, mode="random", seed=1, runs=300)
    assert "0 of 300 schedules failed" in result.report()
    p = 1 - 0.05 ** (1 / 300)
    assert f"a bug hit by {p:.1%} of schedules would have shown with 95% probability" in (
        result.report()
    )


def test_the_default_seed_comes_from_the_node_id() -> None:
    first = explore(lost_update, mode="random", runs=5)
    second = explore(lost_update, mode="random", runs=5)
    assert first.seed == second.seed is not None
    assert [s.steps for s in first.runs] == [s.steps for s in second.runs]


# --- deadlocks, hangs, nothing left behind ---------------------------------------------------


def opposite_locks(steps: Any) -> None:
    first, second = steps.lock("first"), steps.lock("second")

    def transfer(who: str) -> None:
        one, other = (first, second) if who == "a" else (second, first)
        with one, other:
            pass

    steps.run_threads(transfer, "a", "b")


def test_opposite_order_locks_deadlock_in_each_order_reported() -> None:
    result = explore(opposite_locks)
    assert result.schedules == 4
    deadlocks = [s for s in result.runs if isinstance(s.outcome, Raised)]
    assert [s.steps for s in deadlocks] == [
        ["a acquires first", "b acquires second"],
        ["b acquires second", "a acquires first"],
    ]
    assert all(s.outcome.type == "DeadlockError" for s in deadlocks)
    assert "a waits to 'a acquires second'" in deadlocks[0].outcome.message
    assert explorer_threads() == []


def test_a_missed_notify_is_a_deadlock() -> None:
    def scenario(steps: Any) -> None:
        condition = steps.condition(name="ready")
        state = {"ready": False}

        def consumer(who: str) -> None:
            with steps.step("consumer checks"):
                ready = state["ready"]
            if not ready:
                with condition:
                    condition.wait()  # bug: the check is not under the lock

        def producer(who: str) -> None:
            with condition:
                state["ready"] = True
                condition.notify_all()

        def work(who: str) -> None:
            (consumer if who == "consumer" else producer)(who)

        steps.run_threads(work, "consumer", "producer")

    result = explore(scenario)
    assert any(isinstance(s.outcome, Raised) for s in result.runs)
    assert any(not isinstance(s.outcome, Raised) for s in result.runs)
    assert explorer_threads() == []


def test_a_worker_blocked_outside_a_step_is_a_hang_reported_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("pytest_concurrency.exploration.threads.hang_bound", lambda _: 0.5)

    def scenario(steps: Any) -> None:
        plain = threading.Lock()  # not steps.lock(): the exploration cannot see it

        def work(who: str) -> None:
            with plain, steps.step(f"{who} inside"):
                pass

        steps.run_threads(work, "a", "b")

    result = explore(scenario)
    assert result.hang is not None
    # a takes the plain lock and stops at its step; b, starting, blocks on the lock: the
    # first schedule hangs, and the exploration stops there.
    assert result.schedules == 1
    assert "worker 'b' blocked outside a step" in str(result.hang.outcome)
    assert result.hang.steps == []
    with pytest.raises(AssertionError, match="stopped at a hang"):
        result.assert_all(lambda _: True)
    assert explorer_threads() == []


def test_a_worker_that_hangs_for_good_is_reported_and_left_as_a_daemon(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("pytest_concurrency.exploration.threads.hang_bound", lambda _: 0.5)
    never = threading.Event()

    def scenario(steps: Any) -> None:
        def work(who: str) -> None:
            with steps.step(f"{who} starts"):
                pass
            if who == "b":
                never.wait()

        steps.run_threads(work, "a", "b")

    try:
        result = explore(scenario)
        assert result.hang is not None
        assert result.stuck_threads == 1
    finally:
        never.set()
    for thread in explorer_threads():
        thread.join(5)
    assert explorer_threads() == []


# --- linearizability -------------------------------------------------------------------------


class CounterModel:
    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> int:
        self.value += 1
        return self.value


def recorded_counter(locked: bool) -> Any:
    def scenario(steps: Any) -> None:
        state = {"n": 0}
        lock = steps.lock()

        def increment(who: str) -> None:
            with steps.record("increment") as call:
                if locked:
                    lock.acquire()
                with steps.step(f"{who} reads"):
                    seen = state["n"]
                with steps.step(f"{who} writes"):
                    state["n"] = seen + 1
                if locked:
                    lock.release()
                call.result = seen + 1

        steps.run_threads(increment, "a", "b")

    return scenario


def test_a_locked_counter_is_linearizable_in_every_schedule() -> None:
    result = explore(recorded_counter(locked=True))
    assert result.schedules >= 2
    result.assert_linearizable(CounterModel)


def test_an_unlocked_counter_is_not_linearizable() -> None:
    result = explore(recorded_counter(locked=False))
    with pytest.raises(AssertionError, match="not linearizable in"):
        result.assert_linearizable(CounterModel)


# --- tasks -----------------------------------------------------------------------------------


async def async_lost_update(steps: Any) -> int:
    counter = {"n": 0}

    async def increment(who: str) -> None:
        async with steps.step(f"{who} reads"):
            seen = counter["n"]
        async with steps.step(f"{who} writes"):
            counter["n"] = seen + 1

    await steps.run_tasks(increment, "a", "b")
    return counter["n"]


@pytest.mark.loop_flavours(*ALL_FLAVOURS)
async def test_tasks_give_the_same_counts_on_every_flavour() -> None:
    result = await explore_async(async_lost_update)
    assert result.schedules == 6
    assert result.outcomes == {1: 4, 2: 2}
    bounded = await explore_async(async_lost_update, max_preemptions=1)
    assert (bounded.schedules, bounded.outcomes) == (4, Counter({1: 2, 2: 2}))


@pytest.mark.loop_flavours(*ALL_FLAVOURS)
async def test_an_await_that_suspends_between_steps_changes_nothing_in_the_counts() -> None:
    async def scenario(steps: Any) -> int:
        counter = {"n": 0}
        lock = steps.lock()

        async def increment(who: str) -> None:
            async with lock:
                async with steps.step(f"{who} reads"):
                    seen = counter["n"]
                await asyncio.sleep(0)
                async with steps.step(f"{who} writes"):
                    counter["n"] = seen + 1

        await steps.run_tasks(increment, "a", "b")
        return counter["n"]

    result = await explore_async(scenario)
    assert result.outcomes == {2: 2}


@pytest.mark.loop_flavours(*ALL_FLAVOURS)
async def test_opposite_order_async_locks_deadlock_and_leave_no_task() -> None:
    async def scenario(steps: Any) -> None:
        first, second = steps.lock("first"), steps.lock("second")

        async def transfer(who: str) -> None:
            one, other = (first, second) if who == "a" else (second, first)
            async with one, other:
                pass

        await steps.run_tasks(transfer, "a", "b")

    before = asyncio.all_tasks()
    result = await explore_async(scenario)
    assert result.schedules == 4
    deadlocks = [s for s in result.runs if isinstance(s.outcome, Raised)]
    assert [s.outcome.type for s in deadlocks] == ["DeadlockError", "DeadlockError"]
    assert [s.steps for s in deadlocks] == [
        ["a acquires first", "b acquires second"],
        ["b acquires second", "a acquires first"],
    ]
    assert asyncio.all_tasks() == before


@pytest.mark.loop_flavours("asyncio", "virtual", "uvloop")
async def test_a_task_blocked_outside_a_step_is_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pytest_concurrency.exploration.tasks.hang_bound", lambda _: 0.5)

    async def scenario(steps: Any) -> None:
        never = asyncio.Event()

        async def work(who: str) -> None:
            async with steps.step(f"{who} starts"):
                pass
            if who == "b":
                await never.wait()

        await steps.run_tasks(work, "a", "b")

    before = asyncio.all_tasks()
    result = await explore_async(scenario)
    assert result.hang is not None
    assert result.schedules == 1
    assert "task 'b' blocked outside a step" in str(result.hang.outcome)
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == before


@pytest.mark.loop_flavours("asyncio")
async def test_async_random_modes_repeat_with_their_seed() -> None:
    first = await explore_async(async_lost_update, mode="pct", seed=5, runs=30)
    second = await explore_async(async_lost_update, mode="pct", seed=5, runs=30)
    assert [s.steps for s in first.runs] == [s.steps for s in second.runs]


def test_an_async_scenario_given_to_explore_is_refused() -> None:
    with pytest.raises(TypeError, match="explore_async"):
        explore(async_lost_update)


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown exploration mode 'dfs'"):
        explore(lost_update, mode="dfs")


# --- ready-callback mode ---------------------------------------------------------------------


async def _never_suspends() -> None:
    return None


def increments_across(suspend: Any) -> Any:
    async def scenario() -> int:
        state = {"n": 0}

        async def increment() -> None:
            seen = state["n"]
            await suspend()
            state["n"] = seen + 1

        await asyncio.gather(increment(), increment())
        return state["n"]

    return scenario


@pytest.mark.loop_flavours("ready-callback")
async def test_ready_callback_mode_explores_only_real_suspensions() -> None:
    across_sleep = await explore_ready(increments_across(lambda: asyncio.sleep(0)))
    assert (across_sleep.schedules, across_sleep.outcomes) == (20, Counter({1: 12, 2: 8}))
    across_nothing = await explore_ready(increments_across(_never_suspends))
    assert (across_nothing.schedules, across_nothing.outcomes) == (6, Counter({2: 6}))
    with pytest.raises(AssertionError, match="await explore_ready"):
        across_sleep.assert_all(lambda n: n == 2)
    schedule = across_sleep.first_failure
    assert schedule is not None
    assert schedule[0] == "task 1"
    for _ in range(20):
        again = await explore_ready(increments_across(lambda: asyncio.sleep(0)), replay=schedule)
        assert again.outcomes == {1: 1}


@pytest.mark.loop_flavours("asyncio", "uvloop")
async def test_ready_callback_mode_says_where_it_cannot_run() -> None:
    with pytest.raises(RuntimeError, match=r"needs the .*loop flavour 'ready-callback'"):
        await explore_ready(increments_across(_never_suspends))


def test_the_ready_callback_flavour_is_named_but_not_in_flavours() -> None:
    from pytest_concurrency import loops

    assert "ready-callback" not in loops.FLAVOURS
    assert loops.flavour("ready-callback").name == "ready-callback"


def test_a_schedule_is_the_list_of_its_step_names() -> None:
    """failures hold Schedules: lists of step names, with their preemptions and outcome."""

    def scenario(steps: Any) -> None:
        assert lost_update(steps) == 2

    result = explore(scenario)
    first = result.failures[0]
    assert first == result.first_failure
    assert first.preemptions == 1
    assert isinstance(first.outcome, Raised)
    sequencer = Sequencer(first)
    with pytest.raises(AssertionError):
        scenario(sequencer)
    assert sequencer.log == first


def test_a_sequencer_replays_a_schedule_with_plain_threads() -> None:
    """The printed schedule drives hand-written threads through Sequencer.step."""
    result = explore(lost_update)
    with pytest.raises(AssertionError):
        result.assert_all(lambda n: n == 2)
    schedule = result.first_failure
    assert schedule is not None
    seq = Sequencer(schedule)
    counter = {"n": 0}

    def increment(who: str) -> None:
        with seq.step(f"{who} reads"):
            seen = counter["n"]
        with seq.step(f"{who} writes"):
            counter["n"] = seen + 1

    threads = [threading.Thread(target=increment, args=(who,)) for who in "ba"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert counter["n"] == 1
    assert seq.log == schedule


def test_the_hang_bound_scales_with_the_hang_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hang bound is read from pytest_concurrency.timeouts at each exploration."""
    monkeypatch.setattr("pytest_concurrency.timeouts.hang_bound", lambda tier="short": 0.5)
    never = threading.Event()

    def scenario(steps: Any) -> None:
        def work(who: str) -> None:
            with steps.step(f"{who} starts"):
                pass
            never.wait(10)

        steps.run_threads(work, "a", "b")

    try:
        result = explore(scenario)
    finally:
        never.set()
    assert result.hang is not None
    assert "0.5 s" in str(result.hang.outcome)


def transfer_with_locks(steps: Any) -> int:
    accounts = {"x": 0}
    lock = steps.lock()

    def deposit(who: str) -> None:
        with lock:
            with steps.step(f"{who} reads"):
                seen = accounts["x"]
            with steps.step(f"{who} writes"):
                accounts["x"] = seen + 1

    steps.run_threads(deposit, "a", "b")
    return accounts["x"]


def test_a_schedule_with_lock_steps_replays_on_a_sequencer() -> None:
    """Sequencer.lock() makes the same 'a acquires lock1' steps as steps.lock()."""
    result = explore(transfer_with_locks)
    assert result.schedules == 2
    for schedule in result.runs:
        sequencer = Sequencer(schedule)
        assert transfer_with_locks(sequencer) == 2
        assert sequencer.log == schedule
    assert result.runs[0][0] == "a acquires lock1"


@pytest.mark.loop_flavours("asyncio", "virtual")
async def test_an_async_schedule_with_lock_steps_replays_on_an_async_sequencer() -> None:
    async def scenario(steps: Any) -> int:
        accounts = {"x": 0}
        lock = steps.lock()

        async def deposit(who: str) -> None:
            async with lock:
                async with steps.step(f"{who} reads"):
                    seen = accounts["x"]
                async with steps.step(f"{who} writes"):
                    accounts["x"] = seen + 1

        await steps.run_tasks(deposit, "a", "b")
        return accounts["x"]

    result = await explore_async(scenario)
    assert result.schedules == 2
    for schedule in result.runs:
        sequencer = AsyncSequencer(schedule)
        assert await scenario(sequencer) == 2
        assert sequencer.log == schedule


@pytest.mark.parametrize(
    "text",
    [
        "a reads|b reads|b writes|a writes",
        '["a reads", "b reads", "b writes", "a writes"]',
        "a reads, b reads, b writes, a writes",
    ],
)
def test_a_replay_may_be_given_as_text(text: str) -> None:
    result = explore(lost_update, replay=text)
    assert result.runs[0] == ["a reads", "b reads", "b writes", "a writes"]
    assert result.outcomes == {1: 1}


def test_an_operation_without_a_recorded_result_is_applied_but_not_compared() -> None:
    class Register:
        def __init__(self) -> None:
            self.value = 0

        def add(self, n: int) -> None:
            self.value += n

        def read(self) -> int:
            return self.value

    def scenario(steps: Any) -> None:
        state = {"value": 0}

        def work(who: str) -> None:
            if who == "adder":
                with steps.record("add", 1):
                    with steps.step("adder reads"):
                        seen = state["value"]
                    with steps.step("adder writes"):
                        state["value"] = seen + 1
            else:
                with steps.record("read") as call, steps.step("reader reads"):
                    call.returns(state["value"])

        steps.run_threads(work, "adder", "reader")

    explore(scenario).assert_linearizable(Register)
