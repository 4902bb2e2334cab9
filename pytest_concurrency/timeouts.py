"""Named hang bounds.

A spec never measures time with a stopwatch to decide whether something happened; it waits on an
event, a barrier or a queue. It still needs a bound, so that a bug shows up as a failure instead
of a hung test run. Those bounds are named here, in tiers, and one option scales them all for a
slow machine::

    pytest --hang-scale=4          # every bound four times as long

A bound is generous on purpose: reaching it means "this is not going to happen", not "this was
slow".

**The hang budget.** When something every spec uses is broken (``Future.set_result``, an
``Event``, a ``Lock``), hundreds of specs each wait out their bound and the run would take hours to
say so. So a run has a budget of expired bounds (``--hang-budget``, 3 by default): once that many
tests have failed on a bound that ran out, every later bound, the hang guard's included, shrinks to
:data:`SHRUNK` of itself, and each further expiry halves it again, down to :data:`FLOOR` (a
``long`` bound of 1.2 s): a run where every spec hangs then spends about a second per spec. The
run still ends with every claim's verdict, and the report says from which test on the bounds were
shrunk, and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = [
    "FLOOR",
    "SHRUNK",
    "TIERS",
    "HangBudget",
    "budget",
    "get_scale",
    "hang_bound",
    "scaled",
    "set_scale",
]

#: Seconds before a wait counts as hung, by tier.
TIERS: dict[str, float] = {
    "short": 5.0,  # a thread or task should react at once
    "medium": 30.0,  # a process pool starting under spawn on a loaded machine
    "long": 120.0,  # whole benchmarks
}

#: What a bound shrinks to, as a fraction of itself, once the run's hang budget is spent.
SHRUNK = 0.2
#: The least a bound shrinks to, as a fraction of itself, however many more bounds run out.
FLOOR = 0.01

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
    return scaled(base)


def scaled(seconds: float) -> float:
    """``seconds`` times the hang scale, and times :data:`SHRUNK` once the budget is spent."""
    return seconds * _scale * budget.factor


@dataclass
class HangBudget:
    """How many bounds may run out in a run before every later bound shrinks.

    ``limit`` is the number of tests that may fail on an expired bound (a hang-guard alarm, a
    :class:`~pytest_concurrency.HangError`, a ``TimeoutError``, or a failure that took at
    least the ``short`` bound); ``None`` means no budget: bounds never shrink.
    """

    limit: int | None = 3
    expired: list[tuple[str, str]] = field(default_factory=list)  # (test, what ran out)
    spent_at: str = ""  # the test whose expiry spent the budget
    spent_because: str = ""
    spent_after: int = 0  # how many bounds had run out when it was spent

    @property
    def spent(self) -> bool:
        return bool(self.spent_at)

    @property
    def factor(self) -> float:
        """1 until the budget is spent; then :data:`SHRUNK`, halved by each later expiry, down
        to :data:`FLOOR`."""
        if not self.spent or self.limit is None:
            return 1.0
        later = len(self.expired) - self.spent_after
        return max(FLOOR, SHRUNK * 0.5**later)

    def record(self, test: str, what: str, *, spends_all: bool = False) -> bool:
        """Count one expired bound in ``test``; return True when this one spent the budget.
        ``spends_all``: this expiry spends the whole budget at once (the hang guard's alarm: a
        test outlived the longest bound, so everything after it would too)."""
        self.expired.append((test, what))
        if self.spent or self.limit is None:
            return False
        if len(self.expired) < self.limit and not spends_all:
            return False
        self.spent_at, self.spent_after = test, len(self.expired)
        self.spent_because = (f"the hang guard's alarm ended {test}; " if spends_all else "") + (
            f"{len(self.expired)} tests failed on a bound that ran out (the hang budget is "
            f"{self.limit}); from here on every bound is {SHRUNK:g} of itself, halved by each "
            f"later one down to {FLOOR:g}. The last: {what}"
        )
        return True

    def reset(self, limit: int | None = 3) -> None:
        self.limit = limit
        self.expired.clear()
        self.spent_at = self.spent_because = ""
        self.spent_after = 0

    def saved(self) -> HangBudget:
        """A copy of this budget as it is, for :meth:`restore`."""
        return HangBudget(
            self.limit, list(self.expired), self.spent_at, self.spent_because, self.spent_after
        )

    def restore(self, saved: HangBudget) -> None:
        """Put back what :meth:`saved` copied (a nested run gives the outer run's back)."""
        self.limit, self.expired[:] = saved.limit, saved.expired
        self.spent_at, self.spent_because = saved.spent_at, saved.spent_because
        self.spent_after = saved.spent_after

    def status(self) -> dict[str, object]:
        """The budget as the claims report's run status records it."""
        return {
            "limit": self.limit,
            "expired": len(self.expired),
            "spent": self.spent,
            "shrunk_from": self.spent_at,
            "reason": self.spent_because,
            "factor": self.factor,
        }


#: This process's budget (the plugin sets its limit from ``--hang-budget``).
budget = HangBudget()
