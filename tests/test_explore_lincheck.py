"""Lincheck-style checks: Hypothesis draws scenarios of operations, each is explored, and
every history must be linearizable against a sequential model."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from pytest_concurrency.exploration.lincheck import check_linearizable


class CounterModel:
    def __init__(self) -> None:
        self.value = 0

    def add(self, n: int) -> int:
        self.value += n
        return self.value

    def get(self) -> int:
        return self.value


class Counter:
    """add() reads, then writes: two steps, a lock optional."""

    def __init__(self, steps: Any, locked: bool) -> None:
        self.steps = steps
        self.value = 0
        self.lock = steps.lock("counter") if locked else None

    def add(self, n: int) -> int:
        if self.lock is not None:
            self.lock.acquire()
        try:
            with self.steps.step(f"{self.steps.worker} reads"):
                seen = self.value
            with self.steps.step(f"{self.steps.worker} writes"):
                self.value = seen + n
            return self.value
        finally:
            if self.lock is not None:
                self.lock.release()

    def get(self) -> int:
        with self.steps.step(f"{self.steps.worker} gets"):
            return self.value


OPERATIONS = {"add": st.tuples(st.integers(1, 3)), "get": None}


def test_a_locked_counter_passes() -> None:
    check_linearizable(lambda steps: Counter(steps, locked=True), CounterModel, OPERATIONS)


def test_an_unlocked_counter_fails_with_a_shrunk_scenario() -> None:
    with pytest.raises(AssertionError, match="not linearizable in"):
        check_linearizable(lambda steps: Counter(steps, locked=False), CounterModel, OPERATIONS)
