"""The result of an exploration and its one-screen report."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["STEP_BOUNDARY", "Exploration", "Raised", "Schedule", "format_schedule"]

STEP_BOUNDARY = (
    "A step boundary is a possible switch point, not a certain one: on GIL builds (3.10+) a\n"
    "thread switches only at calls, function entries and loop back-edges, and a task only where\n"
    "it really suspends. Code between steps is not explored."
)


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclass(frozen=True)
class Raised:
    """An exception as an outcome: its type's name and its message."""

    type: str
    message: str

    @classmethod
    def of(cls, error: BaseException) -> Raised:
        """The outcome of ``error``; object addresses (``at 0x7f...``) are dropped from the
        message, so the same failure in two schedules is one outcome."""
        return cls(type(error).__name__, _ADDRESS.sub("", str(error)))

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


class Schedule(list[str]):
    """One explored schedule: the step names in the order they ran (it is that list, so it
    can be handed to ``Sequencer`` or ``replay=`` as is), with what came of it."""

    def __init__(
        self,
        steps: list[str],
        preemptions: int,
        outcome: Any,
        history: list[tuple[Any, ...]] | None = None,
        error: BaseException | None = None,
    ) -> None:
        super().__init__(steps)
        self.preemptions = preemptions
        self.outcome = outcome
        self.history = history if history is not None else []
        self.error = error

    @property
    def steps(self) -> list[str]:
        """The step names, as a plain list."""
        return list(self)

    def __repr__(self) -> str:
        return f"Schedule({list(self)!r}, preemptions={self.preemptions}, outcome={self.outcome!r})"


def format_schedule(steps: list[str]) -> str:
    """The form ``--explore-replay`` takes: names joined by ``|``."""
    return "|".join(steps)


def _key(outcome: Any) -> Any:
    try:
        hash(outcome)
    except TypeError:
        return repr(outcome)
    return outcome


def _raised(outcome: Any) -> bool:
    return isinstance(outcome, Raised)


class Exploration:
    """What :func:`~pytest_concurrency.explore` found.

    ``schedules`` (how many distinct schedules ran), ``outcomes`` (a Counter of what the
    scenario returned, an exception counting as :class:`~pytest_concurrency.exploration.Raised`),
    ``failures`` (the schedules that raised, or whose outcome the last :meth:`assert_all`
    rejected), ``first_failure`` (the failing schedule with the fewest preemptions, as a list of
    step names).
    """

    def __init__(
        self,
        *,
        mode: str,
        seed: int | None,
        max_preemptions: int | None,
        budget: int | None,
        kind: str,
    ) -> None:
        self.mode = mode
        self.seed = seed
        self.max_preemptions = max_preemptions
        self.budget = budget
        self.kind = kind
        self.runs: list[Schedule] = []
        self.outcomes: Counter[Any] = Counter()
        self.complete = mode != "exhaustive"
        self.truncated = False
        self.hang: Schedule | None = None
        self.stuck_threads = 0
        self.replay: list[str] | None = None
        self.nodeid: str | None = None
        self._failing: Callable[[Any], bool] = _raised

    # --- filled in by the runner ---

    def add(self, schedule: Schedule) -> None:
        self.runs.append(schedule)
        self.outcomes[_key(schedule.outcome)] += 1

    # --- the public face ---

    @property
    def schedules(self) -> int:
        return len(self.runs)

    @property
    def failures(self) -> list[Schedule]:
        """The failing schedules, fewest preemptions first (then in the order explored)."""
        failing = [s for s in self.runs if self._failing(s.outcome)]
        return sorted(failing, key=lambda s: s.preemptions)

    @property
    def first_failure(self) -> list[str] | None:
        failing = self.failures
        return list(failing[0].steps) if failing else None

    def assert_all(self, predicate: Callable[[Any], object]) -> Exploration:
        """Assert ``predicate(outcome)`` for every schedule's outcome (an exception fails);
        the :class:`AssertionError` carries the report. Also fails when the exploration was
        cut short by its budget, or hung."""
        __tracebackhide__ = True
        verdicts: dict[Any, bool] = {}

        def failing(outcome: Any) -> bool:
            key = _key(outcome)
            if key not in verdicts:
                try:
                    verdicts[key] = _raised(outcome) or not predicate(outcome)
                except Exception:
                    verdicts[key] = True
            return verdicts[key]

        self._failing = failing
        if self.failures or self.truncated or self.hang is not None:
            raise AssertionError(self.report())
        return self

    def assert_no_failures(self) -> Exploration:
        """Fail (with the report) if any schedule raised, the search hung or was cut short."""
        __tracebackhide__ = True
        if self.failures or self.truncated or self.hang is not None:
            raise AssertionError(self.report())
        return self

    def assert_linearizable(self, model: type[Any] | Callable[[], Any]) -> Exploration:
        """Assert that every schedule's recorded history (``steps.record``) is linearizable
        against ``model()``, a plain sequential class; the error names a schedule that is not."""
        __tracebackhide__ = True
        from .linearizability import check_history

        bad = []
        for schedule in self.runs:
            problem = check_history(schedule.history, model)
            if problem is not None:
                bad.append((schedule, problem))
        if bad:
            bad.sort(key=lambda pair: pair[0].preemptions)
            first, problem = bad[0]
            plural = "" if first.preemptions == 1 else "s"
            lines = [
                self._headline(),
                f"not linearizable in {len(bad)} of {self.schedules} schedules; the first "
                f"({first.preemptions} preemption{plural}):",
                "    " + " -> ".join(first),
                f"  {problem}",
                *self._replay_hint(first.steps),
                STEP_BOUNDARY,
            ]
            raise AssertionError("\n".join(lines))
        return self

    def report(self) -> str:
        """One screen: mode, bound, schedules, k of n failing, the first failing schedule, how
        to replay it, what a step boundary means."""
        lines = [self._headline()]
        failing = self.failures
        total = self.schedules
        shown = sorted(self.outcomes.items(), key=lambda item: -item[1])[:6]
        outcomes = "; ".join(
            f"{_one_line(outcome)} ({count}" + (", failing)" if self._failing(outcome) else ")")
            for outcome, count in shown
        )
        more = len(self.outcomes) - len(shown)
        lines.append(f"outcomes: {outcomes}" + (f", and {more} more" if more > 0 else ""))
        if failing:
            first = failing[0]
            lines.append(f"{len(failing)} of {total} schedules failed")
            plural = "" if first.preemptions == 1 else "s"
            lines.append(f"first failing schedule ({first.preemptions} preemption{plural}):")
            lines.append("    " + " -> ".join(first.steps))
            lines.append("  outcome: " + str(first.outcome).replace("\n", "\n    "))
            lines.extend(self._replay_hint(first.steps))
        else:
            lines.append(f"0 of {total} schedules failed")
            if self.mode in ("random", "pct") and total:
                p = 1 - 0.05 ** (1 / total)
                lines.append(
                    f"  a bug hit by {p:.1%} of schedules would have shown with 95% probability"
                )
        if self.hang is not None:
            lines.append(f"the exploration stopped at a hang: {self.hang.outcome!s}")
            if self.stuck_threads:
                lines.append(f"  {self.stuck_threads} worker thread(s) still blocked")
        if self.truncated:
            lines.append(
                f"not exhaustive: the space has more than {self.budget} schedules (the budget, "
                "runs=); pass max_preemptions=2 (most bugs need at most 2), or "
                "mode='random' or 'pct'"
            )
        lines.append(STEP_BOUNDARY)
        return "\n".join(lines)

    def _headline(self) -> str:
        bound = (
            "no preemption bound"
            if self.max_preemptions is None
            else f"at most {self.max_preemptions} preemptions"
        )
        parts = [f"interleaving exploration ({self.kind}): {self.mode}", bound]
        if self.seed is not None and self.mode in ("random", "pct"):
            parts.append(f"seed {self.seed} (--explore-seed={self.seed})")
        parts.append(f"{self.schedules} schedules" + (" (all)" if self.complete else ""))
        return ", ".join(parts)

    def _replay_hint(self, steps: list[str]) -> list[str]:
        nodeid = self.nodeid or _current_nodeid() or "NODEID"
        call, sequencer = {
            "threads": ("explore", "Sequencer"),
            "tasks": ("await explore_async", "AsyncSequencer"),
        }.get(self.kind, ("await explore_ready", None))
        return [
            f"replay: {call}(scenario, replay={steps!r})",
            *([f"  or scenario({sequencer}({steps!r}))"] if sequencer else []),
            f"  under pytest: --explore-replay='{nodeid}={format_schedule(steps)}'",
        ]

    def __repr__(self) -> str:
        return (
            f"<Exploration {self.mode} {self.schedules} schedules, "
            f"{len(self.failures)} failing, outcomes {dict(self.outcomes)}>"
        )

    __str__ = report


def _one_line(outcome: Any) -> str:
    text = str(outcome)
    first = text.split("\n", 1)[0]
    shown = first if len(first) <= 80 else first[:77] + "..."
    return shown + (" ..." if first != text and shown == first else "")


def _current_nodeid() -> str | None:
    current = os.environ.get("PYTEST_CURRENT_TEST")
    return current.rsplit(" ", 1)[0] if current else None
