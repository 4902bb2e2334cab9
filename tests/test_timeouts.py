"""Hang bounds: named tiers, scaled by --hang-scale."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_concurrency import timeouts
from pytest_concurrency.timeouts import TIERS, get_scale, hang_bound, set_scale


@pytest.fixture
def scale_restored() -> Iterator[None]:
    """Put the scale back, whatever the test set."""
    before = get_scale()
    yield
    set_scale(before)


def test_the_tiers_are_short_medium_and_long() -> None:
    """Three tiers, from a thread's reaction to a whole benchmark."""
    assert TIERS == {"short": 5.0, "medium": 30.0, "long": 120.0}


@pytest.mark.usefixtures("scale_restored")
def test_the_scale_multiplies_every_tier() -> None:
    """set_scale(2) doubles each bound."""
    set_scale(2)
    assert get_scale() == 2.0
    assert [hang_bound(tier) for tier in TIERS] == [10.0, 60.0, 240.0]
    assert hang_bound() == 10.0  # short by default


@pytest.mark.parametrize("scale", [0, -1.5, float("nan")])
def test_the_scale_must_be_positive(scale: float) -> None:
    """Zero, negative or not-a-number scales are refused."""
    with pytest.raises(ValueError, match="the hang scale must be a positive number"):
        timeouts.set_scale(scale)


def test_an_unknown_tier_is_rejected_with_the_accepted_ones() -> None:
    """A misspelt tier names the three that exist."""
    with pytest.raises(
        ValueError, match="unknown hang-bound tier 'brief'; accepted: short, medium"
    ):
        hang_bound("brief")


def test_the_option_scales_the_bounds_inside_the_run(pytester: pytest.Pytester) -> None:
    """--hang-scale=0.5 halves every bound for the tests of that run."""
    pytester.makepyfile(
        """
        from pytest_concurrency import hang_bound

        def test_x():
            assert hang_bound("short") == 2.5
            assert hang_bound("long") == 60.0
        """
    )
    pytester.runpytest("--hang-scale=0.5").assert_outcomes(passed=1)


def test_the_ini_twin_scales_the_bounds_too(pytester: pytest.Pytester, make_ini) -> None:
    """hang_scale = 4 in the ini file quadruples them."""
    make_ini("hang_scale = 4")
    pytester.makepyfile(
        """
        from pytest_concurrency import hang_bound

        def test_x():
            assert hang_bound("medium") == 120.0
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


# --- the hang budget ---------------------------------------------------------------------


@pytest.fixture
def fresh_budget() -> Iterator[timeouts.HangBudget]:
    """The process's budget, emptied for the test and given back as it was."""
    budget = timeouts.budget
    saved = budget.saved()
    budget.reset(2)
    yield budget
    budget.restore(saved)


def test_bounds_shrink_once_the_budget_of_expired_bounds_is_spent(
    fresh_budget: timeouts.HangBudget,
) -> None:
    """With a budget of 2, the first expiry changes nothing; the second spends the budget,
    names the test and why, and every bound is then a fifth of itself."""
    short = hang_bound("short")

    first = fresh_budget.record("test_a", "HangError (call)")
    unchanged = hang_bound("short")
    second = fresh_budget.record("test_b", "HangError (call)")

    assert (first, unchanged) == (False, short)
    assert second is True
    assert hang_bound("short") == pytest.approx(short * timeouts.SHRUNK)
    assert timeouts.scaled(100) == pytest.approx(100 * get_scale() * timeouts.SHRUNK)
    status = fresh_budget.status()
    assert (status["spent"], status["shrunk_from"], status["expired"]) == (True, "test_b", 2)
    assert "2 tests failed on a bound that ran out" in str(status["reason"])


def test_without_a_budget_bounds_never_shrink(fresh_budget: timeouts.HangBudget) -> None:
    """A limit of None (--hang-budget=off) counts expiries and never shrinks a bound."""
    fresh_budget.reset(None)
    short = hang_bound("short")

    spent = [fresh_budget.record(f"test_{n}", "HangError (call)") for n in range(10)]

    assert spent == [False] * 10
    assert hang_bound("short") == short
    assert fresh_budget.status()["expired"] == 10


def test_the_hang_guards_alarm_spends_the_whole_budget_at_once(
    fresh_budget: timeouts.HangBudget,
) -> None:
    """A test that outlived the guard's bound spends the budget by itself: everything after
    it would hang as long. Each later expiry halves the bounds again, down to the floor."""
    short = hang_bound("short")

    spent = fresh_budget.record("test_a", "the hang guard's bound (call)", spends_all=True)
    after_one = hang_bound("short")
    for n in range(20):
        fresh_budget.record(f"test_{n}", "HangError (call)")

    assert spent is True
    assert after_one == pytest.approx(short * timeouts.SHRUNK)
    assert hang_bound("short") == pytest.approx(short * timeouts.FLOOR)
    assert "the hang guard's alarm ended test_a" in fresh_budget.spent_because
