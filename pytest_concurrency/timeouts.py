"""Named hang bounds.

A spec never measures time with a stopwatch to decide whether something happened; it waits on an
event, a barrier or a queue. It still needs a bound, so that a bug shows up as a failure instead
of a hung test run. Those bounds are named here, in tiers, and one option scales them all for a
slow machine::

    pytest --hang-scale=4          # every bound four times as long

A bound is generous on purpose: reaching it means "this is not going to happen", not "this was
slow".
"""

from __future__ import annotations

import math

__all__ = ["TIERS", "get_scale", "hang_bound", "set_scale"]

#: Seconds before a wait counts as hung, by tier.
TIERS: dict[str, float] = {
    "short": 5.0,  # a thread or task should react at once
    "medium": 30.0,  # a process pool starting under spawn on a loaded machine
    "long": 120.0,  # whole benchmarks
}

_scale = 1.0


def set_scale(scale: float) -> None:
    """Multiply every tier by ``scale`` (the plugin calls this from ``--hang-scale``)."""
    global _scale
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"the hang scale must be a positive number, got {scale!r}")
    _scale = float(scale)


def get_scale() -> float:
    """The factor in force."""
    return _scale


def hang_bound(tier: str = "short") -> float:
    """Seconds to wait before a wait of this ``tier`` counts as hung.

    >>> hang_bound("short") == TIERS["short"] * get_scale()
    True
    """
    try:
        base = TIERS[tier]
    except KeyError:
        accepted = ", ".join(TIERS)
        raise ValueError(f"unknown hang-bound tier {tier!r}; accepted: {accepted}") from None
    return base * _scale
