"""The synchronisation helpers: wait_until, assert_blocks and the two sequencers."""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import subprocess
import sys
import threading
from typing import Any

import pytest

from pytest_concurrency import (
    AsyncSequencer,
    Gate,
    HangError,
    Sequencer,
    assert_blocks,
    future_state,
    wait_until,
)
from pytest_concurrency.spec_support.workloads import raise_value_error
from pytest_concurrency.sync import BrokenSequencerError

# --- wait_until ------------------------------------------------------------------------------


def test_wait_until_returns_once_the_condition_holds() -> None:
    """wait_until returns as soon as another thread makes the condition true."""
    box: list[str] = []
    writer = threading.Thread(target=box.append, args=("done",))
    writer.start()
    wait_until(lambda: box == ["done"])
    writer.join()
    assert box == ["done"]


def test_wait_until_raises_a_hang_error_naming_the_condition() -> None:
    """A condition that never holds ends in HangError after the timeout, with its label."""
    with pytest.raises(HangError, match=r"condition the door opens still false after 0\.0 s"):
        wait_until(lambda: False, timeout=0.01, what="the door opens")


def test_wait_until_names_a_function_condition_by_its_name() -> None:
    """Without what=, the message uses the condition's name."""

    def never() -> bool:
        return False

    with pytest.raises(HangError, match="condition never still false"):
        wait_until(never, timeout=0.01)


def test_a_hang_error_is_an_assertion_error() -> None:
    """HangError fails a test like an assertion does."""
    assert issubclass(HangError, AssertionError)


# --- assert_blocks ---------------------------------------------------------------------------


def test_assert_blocks_passes_while_the_call_waits_and_gives_its_result() -> None:
    """A queue.get on an empty queue blocks until the body puts an item."""
    items: queue.Queue[int] = queue.Queue()
    with assert_blocks(items.get) as call:
        assert not call.finished
        items.put(42)
    assert call.finished
    assert call.result() == 42


def test_assert_blocks_fails_when_the_call_returns_at_once() -> None:
    """A call that does not block is reported with what it returned."""
    too_early = r"returned at once \(3\) instead of blocking"
    with pytest.raises(AssertionError, match=too_early), assert_blocks(len, "abc"):
        pytest.fail("the body must not run")


def test_assert_blocks_fails_when_the_call_raises_at_once() -> None:
    """A call that raises at once is reported with its exception."""
    too_early = r"returned at once \(ValueError\('no'\)\)"
    with pytest.raises(AssertionError, match=too_early), assert_blocks(raise_value_error, "no"):
        pytest.fail("the body must not run")


def test_assert_blocks_fails_when_the_body_does_not_release_the_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A call still blocked after the body (past the hang bound) is a HangError."""
    monkeypatch.setattr("pytest_concurrency.sync.hang_bound", lambda tier="short": 0.05)
    gate = threading.Event()
    still_blocked = r"Event\.wait still blocked after the body released it"
    with pytest.raises(HangError, match=still_blocked), assert_blocks(gate.wait):
        pass  # forgot gate.set()
    gate.set()  # let the helper thread end


def test_a_blocked_call_passes_on_its_exception() -> None:
    """call.result() raises what the released call raised."""
    items: queue.Queue[str] = queue.Queue()

    def parse() -> int:
        return int(items.get())

    with assert_blocks(parse) as call:
        items.put("x")
    with pytest.raises(ValueError, match="invalid literal"):
        call.result()


# --- Sequencer -------------------------------------------------------------------------------


def test_the_sequencer_forces_a_lost_update_every_time() -> None:
    """Two threads reading before either writes always lose one increment."""
    seq = Sequencer(["a reads", "b reads", "a writes", "b writes"])
    counter = {"value": 0}

    def increment(who: str) -> None:
        with seq.step(f"{who} reads"):
            seen = counter["value"]
        with seq.step(f"{who} writes"):
            counter["value"] = seen + 1

    threads = [threading.Thread(target=increment, args=(who,)) for who in ("b", "a")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter["value"] == 1
    assert seq.log == ["a reads", "b reads", "a writes", "b writes"]
    assert seq.finished


def test_a_step_waits_for_every_earlier_step() -> None:
    """A thread asking for a later step waits while the earlier one has not run."""
    seq = Sequencer(["first", "second"])
    order: list[str] = []

    def later() -> None:
        with seq.step("second"):
            order.append("second")

    thread = threading.Thread(target=later)
    thread.start()
    with seq.step("first"):
        order.append("first")
    thread.join()
    assert order == ["first", "second"]


def test_a_step_whose_turn_never_comes_is_a_hang_error() -> None:
    """Waiting for a turn past the timeout names the step and where the sequence stuck."""
    seq = Sequencer(["a", "b"], timeout=0.01)
    stuck = r"step 'b' waited 0\.0 s .* stuck at 'a' after \[\]"
    with pytest.raises(HangError, match=stuck), seq.step("b"):
        pass
    assert not seq.finished


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (["a", "a"], "step names must be unique"),
        ([], "a sequencer needs at least one step"),
    ],
)
def test_a_sequencer_needs_unique_step_names(steps: list[str], message: str) -> None:
    """The order is checked when the sequencer is made."""
    with pytest.raises(ValueError, match=message):
        Sequencer(steps)
    with pytest.raises(ValueError, match=message):
        AsyncSequencer(steps)


def test_an_unknown_or_repeated_step_is_an_error() -> None:
    """Steps not declared, or run twice, are programming errors, reported at once."""
    seq = Sequencer(["a"])
    unknown = r"unknown step 'z'; the declared steps are \['a'\]"
    with pytest.raises(ValueError, match=unknown), seq.step("z"):
        pass
    with seq.step("a"):
        pass
    with pytest.raises(ValueError, match="step 'a' has already run"), seq.step("a"):
        pass


# --- AsyncSequencer --------------------------------------------------------------------------


@pytest.mark.loop_flavours("virtual", "asyncio")
async def test_the_async_sequencer_orders_tasks() -> None:
    """Tasks started in the opposite order still run their steps in the declared order."""
    seq = AsyncSequencer(["a reads", "b reads", "a writes", "b writes"])
    counter = {"value": 0}

    async def increment(who: str) -> None:
        async with seq.step(f"{who} reads"):
            seen = counter["value"]
        async with seq.step(f"{who} writes"):
            counter["value"] = seen + 1

    await asyncio.gather(increment("b"), increment("a"))
    assert counter["value"] == 1
    assert seq.log == ["a reads", "b reads", "a writes", "b writes"]
    assert seq.finished


@pytest.mark.loop_flavours("virtual")
async def test_an_async_step_whose_turn_never_comes_is_a_hang_error() -> None:
    """Under virtual time the default hang bound passes at once, exactly."""
    seq = AsyncSequencer(["a", "b"])
    loop = asyncio.get_running_loop()
    with pytest.raises(HangError, match=r"step 'b' waited 5\.0 s .* stuck at 'a' after \[\]"):
        async with seq.step("b"):
            pass
    assert loop.time() == 5.0


def test_future_state_names_each_state_of_a_future() -> None:
    pending, running, finished, cancelled = (concurrent.futures.Future() for _ in range(4))
    running.set_running_or_notify_cancel()
    finished.set_result(1)
    cancelled.cancel()

    states = [future_state(f) for f in (pending, running, finished, cancelled)]

    assert states == ["pending", "running", "finished", "cancelled"]


# --- Gate ------------------------------------------------------------------------------------


def test_a_gate_holds_a_worker_until_opened() -> None:
    """gate.wait blocks in a pool until open(), then returns True."""
    gate = Gate("held")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        held = pool.submit(gate.wait)
        with assert_blocks(held.result):
            gate.open()
        assert held.result(timeout=5) is True
    assert gate.is_open
    assert repr(gate) == "<Gate 'held' open>"


def test_a_gate_never_opened_ends_the_workers_wait_with_a_hang_error() -> None:
    """A worker's wait is bounded: a spec that never opens the gate cannot keep it for good."""
    gate = Gate("forgotten")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        held = pool.submit(gate.wait, 0.01)
        with pytest.raises(HangError, match=r"gate 'forgotten' was not opened within 0\.0 s"):
            held.result(timeout=5)


def test_a_gates_default_bound_is_its_hang_bound_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a timeout, wait() gives up after the gate's tier of hang bound."""
    monkeypatch.setattr("pytest_concurrency.sync.hang_bound", lambda tier="short": 0.01)
    with pytest.raises(HangError, match=r"gate 'slow' was not opened within 0\.0 s"):
        Gate("slow", tier="short").wait()


def test_a_gate_with_an_unknown_tier_is_refused_when_made() -> None:
    """The tier is checked at once, in the spec's thread, not later in a worker."""
    with pytest.raises(ValueError, match="unknown hang-bound tier 'forever'; accepted: short"):
        Gate(tier="forever")


def test_a_gate_used_as_a_context_manager_opens_on_leaving_even_on_failure() -> None:
    """The block's failure still opens the gate, so the worker it held goes free."""
    gate = Gate("guarded")

    def fail_inside() -> None:
        with gate:
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail_inside()
    assert gate.is_open


def test_open_all_opens_every_gate_still_closed() -> None:
    """What the specs' teardown calls: every closed gate opens, and the count says how many."""
    Gate.open_all()  # gates other tests may have left
    opened, closed_a, closed_b = Gate("o"), Gate("a"), Gate("b")
    opened.open()
    assert Gate.open_all() == 2
    assert (opened.is_open, closed_a.is_open, closed_b.is_open) == (True, True, True)
    assert Gate.open_all() == 0


def test_a_worker_held_by_a_gate_nobody_opens_still_lets_the_interpreter_exit() -> None:
    """concurrent.futures joins its worker threads at exit: with a bare Event.wait() a program
    that fails before setting the event never ends. With a Gate the worker gives up at its
    bound, so the program exits on its own, with the failure it had."""
    program = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from pytest_concurrency import Gate\n"
        "pool = ThreadPoolExecutor(1)\n"
        "held = pool.submit(Gate('forgotten').wait, 0.2)\n"
        "raise SystemExit('the program failed before opening its gate')\n"
    )

    finished = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )

    assert finished.returncode == 1
    assert "the program failed before opening its gate" in finished.stderr


def test_a_failing_test_lets_go_of_the_workers_it_held_on_a_gate(pytester: pytest.Pytester) -> None:
    """The plugin opens gates left closed before the fixtures are torn down: the pool's
    worker ends at once, so the failure is the test's own and no leak is reported."""
    pytester.makepyfile(
        """
        from pytest_concurrency import Gate

        def test_x(thread_executor):
            gate = Gate()
            thread_executor.submit(gate.wait, 600)
            assert False, "failed while holding the gate"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*failed while holding the gate*"])
    result.stdout.no_fnmatch_line("*after its teardown*")


# --- Sequencer: repeated steps, broken sequences, schedules from explore ---------------------


def test_a_step_repeated_in_a_worker_is_numbered() -> None:
    """The second time a worker takes step "a loops" it is "a loops#2" in the order."""
    seq = Sequencer(["a loops", "b loops", "a loops#2"])

    def work(who: str) -> None:
        for _ in range(2 if who == "a" else 1):
            with seq.step(f"{who} loops"):
                pass

    seq.run_threads(work, "a", "b")
    assert seq.log == ["a loops", "b loops", "a loops#2"]


def test_a_step_that_raises_breaks_the_sequencer() -> None:
    """As trio's Sequencer: the waiters get an error naming the failed step, the failed step
    is not logged, and run_threads raises the original exception."""
    seq = Sequencer(["a fails", "b waits"], timeout=5)
    seen: list[BaseException] = []

    def work(who: str) -> None:
        if who == "a":
            with seq.step("a fails"):
                raise ZeroDivisionError("a's own error")
        try:
            with seq.step("b waits"):
                pass
        except BrokenSequencerError as error:
            seen.append(error)
            raise

    with pytest.raises(ZeroDivisionError, match="a's own error"):
        seq.run_threads(work, "b", "a")
    assert seq.log == []
    assert len(seen) == 1
    assert "step 'a fails' raised" in str(seen[0])
    with pytest.raises(BrokenSequencerError, match="'a fails'"), seq.step("b waits"):
        pass


@pytest.mark.loop_flavours("asyncio", "virtual")
async def test_an_async_step_that_raises_breaks_the_sequencer() -> None:
    seq = AsyncSequencer(["a fails", "b waits"])

    async def work(who: str) -> None:
        if who == "a":
            async with seq.step("a fails"):
                raise ZeroDivisionError("a's own error")
        async with seq.step("b waits"):
            pass

    with pytest.raises(ZeroDivisionError, match="a's own error"):
        await seq.run_tasks(work, "b", "a")
    assert seq.log == []


def test_a_scenario_for_explore_replays_on_a_sequencer() -> None:
    """scenario(Sequencer(schedule)) runs the scenario's workers in that schedule."""

    def scenario(steps: Any) -> int:
        counter = {"n": 0}

        def increment(who: str) -> None:
            with steps.step(f"{who} reads"):
                seen = counter["n"]
            with steps.step(f"{who} writes"):
                counter["n"] = seen + 1

        steps.run_threads(increment, "a", "b")
        return counter["n"]

    assert scenario(Sequencer(["a reads", "b reads", "b writes", "a writes"])) == 1
    assert scenario(Sequencer(["a reads", "a writes", "b reads", "b writes"])) == 2


def test_releasing_an_async_sequencer_lock_never_acquired_is_a_runtime_error() -> None:
    """A real check, not an ``assert`` (which ``python -O`` drops): asyncio.Lock's own error."""
    lock = AsyncSequencer(["a acquires lock1"]).lock()
    with pytest.raises(RuntimeError, match="lock1 is not acquired"):
        lock.release()
