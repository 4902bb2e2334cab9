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
