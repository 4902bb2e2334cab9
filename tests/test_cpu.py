"""conclusive_ratio, its async twin and ratio_to_wall_time: a measurement is repeated only
while other programs saturate the machine, and a machine that stays saturated skips the test,
saying why."""

import itertools

import pytest

from pytest_concurrency import cpu
from pytest_concurrency.cpu import conclusive_ratio, conclusive_ratio_async, ratio_to_wall_time


@pytest.fixture
def idle_machine(monkeypatch):
    """Every read of the idle counter finds 1000 more idle CPU seconds: CPU time sat unused."""
    counter = itertools.count(step=1000.0)
    monkeypatch.setattr(cpu, "idle_cpu_seconds", lambda: next(counter))


@pytest.fixture
def saturated_machine(monkeypatch):
    """The idle counter never moves, and the bound for giving up is short."""
    monkeypatch.setattr(cpu, "idle_cpu_seconds", lambda: 0.0)
    monkeypatch.setattr(cpu, "hang_bound", lambda tier="short": 0.05)


def counting(ratios):
    """A measurement that returns ``ratios`` one by one, and the list of its calls."""
    calls = []

    def measure():
        calls.append(None)
        return ratios[min(len(calls), len(ratios)) - 1]

    return measure, calls


def on_the_loop(measure):
    """``measure`` as a coroutine function, for the async twin."""

    async def measure_on_the_loop():
        return measure()

    return measure_on_the_loop


def test_a_ratio_that_clears_the_bar_is_returned_after_one_measurement(saturated_machine):
    """Above the bar is conclusive whatever the load: no second measurement."""
    measure, calls = counting([2.0])

    assert conclusive_ratio(measure, needed=1.5) == 2.0
    assert len(calls) == 1


def test_a_shortfall_while_cpu_time_sat_idle_is_returned_for_the_spec_to_fail(idle_machine):
    """Falling short with CPU time to spare is the program's own shortfall: returned as is."""
    measure, calls = counting([1.1, 2.0])

    assert conclusive_ratio(measure, needed=1.5) == 1.1
    assert len(calls) == 1


def test_a_shortfall_on_a_saturated_machine_is_measured_again(saturated_machine):
    """Falling short while every CPU was busy proves nothing: measured until it clears."""
    measure, calls = counting([1.1, 1.2, 2.0])

    assert conclusive_ratio(measure, needed=1.5) == 2.0
    assert len(calls) == 3


def test_a_machine_that_stays_saturated_skips_the_test_naming_the_quantity(saturated_machine):
    """Saturated up to the bound: the test is skipped, and the reason names what was measured."""
    measure, _ = counting([1.1])

    with pytest.raises(pytest.skip.Exception) as skipped:
        conclusive_ratio(measure, needed=1.5, what="the pool's speed-up")

    assert str(skipped.value) == (
        "other programs kept every CPU busy for 0 s; the pool's speed-up could not be shown "
        "either way"
    )


def test_ratio_to_wall_time_skips_as_parallelism_not_shown(saturated_machine):
    """ratio_to_wall_time is conclusive_ratio on CPU time over wall time: its skip says so."""
    with pytest.raises(pytest.skip.Exception) as skipped:
        ratio_to_wall_time(lambda: 0.0, needed=1.5)

    assert "parallelism could not be shown either way" in str(skipped.value)


async def test_the_async_twin_measures_again_until_the_ratio_clears(saturated_machine):
    """conclusive_ratio_async awaits the measurement, with the same rules: a shortfall on a
    saturated machine is measured again."""
    measure, calls = counting([1.1, 2.0])

    assert await conclusive_ratio_async(on_the_loop(measure), needed=1.5) == 2.0
    assert len(calls) == 2


async def test_the_async_twin_returns_a_shortfall_while_cpu_time_sat_idle(idle_machine):
    measure, calls = counting([1.1, 2.0])

    assert await conclusive_ratio_async(on_the_loop(measure), needed=1.5) == 1.1
    assert len(calls) == 1


async def test_the_async_twin_skips_a_machine_that_stays_saturated(saturated_machine):
    measure, _ = counting([1.1])

    with pytest.raises(pytest.skip.Exception, match="the overlap could not be shown"):
        await conclusive_ratio_async(on_the_loop(measure), needed=1.5, what="the overlap")


def test_where_idle_time_cannot_be_read_the_first_ratio_is_final(monkeypatch):
    """Off Linux the load is unknown: the first measurement is returned, short or not."""

    def no_proc_stat():
        raise OSError("idle CPU time is read from /proc/stat, which only Linux has")

    monkeypatch.setattr(cpu, "idle_cpu_seconds", no_proc_stat)
    measure, calls = counting([1.1, 2.0])

    assert conclusive_ratio(measure, needed=1.5) == 1.1
    assert len(calls) == 1
