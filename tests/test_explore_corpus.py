"""The corpus of racy programs: exhaustive mode finds every bug and passes every fixed twin,
random mode with its default runs finds (nearly) all, and every printed schedule replays."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pytest_concurrency import explore, explore_async
from pytest_concurrency.exploration import Raised

CORPUS = Path(__file__).parent / "explore_corpus"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"explore_corpus_{name}", CORPUS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


THREADS: dict[str, tuple[Any, Any]] = _load("thread_programs").PROGRAMS
TASKS: dict[str, tuple[Any, Any]] = _load("task_programs").PROGRAMS
SEEDS = range(10)


def test_the_corpus_has_ten_programs_of_each_kind() -> None:
    assert len(THREADS) >= 10
    assert len(TASKS) >= 10


@pytest.mark.parametrize("name", THREADS)
def test_exhaustive_mode_finds_each_thread_bug_and_passes_its_twin(name: str) -> None:
    buggy, fixed = THREADS[name]
    found = explore(buggy)
    assert found.complete
    assert found.failures, found.report()
    clean = explore(fixed)
    assert clean.complete
    assert clean.failures == [], clean.report()
    assert clean.hang is None


@pytest.mark.loop_flavours("asyncio", "eager", "uvloop")
@pytest.mark.parametrize("name", TASKS)
async def test_exhaustive_mode_finds_each_task_bug_and_passes_its_twin(name: str) -> None:
    buggy, fixed = TASKS[name]
    found = await explore_async(buggy)
    assert found.complete
    assert found.failures, found.report()
    clean = await explore_async(fixed)
    assert clean.complete
    assert clean.failures == [], clean.report()


@pytest.mark.parametrize("mode", ["random", "pct"])
def test_random_modes_find_nineteen_of_twenty_for_each_seed_threads(mode: str) -> None:
    programs = list(THREADS.values())
    for seed in SEEDS:
        found = sum(bool(explore(buggy, mode=mode, seed=seed).failures) for buggy, _ in programs)
        assert found >= len(programs) - 1, (mode, seed, found)


@pytest.mark.loop_flavours("asyncio")
@pytest.mark.parametrize("mode", ["random", "pct"])
async def test_random_modes_find_nineteen_of_twenty_for_each_seed_tasks(mode: str) -> None:
    programs = list(TASKS.values())
    for seed in SEEDS:
        found = 0
        for buggy, _ in programs:
            found += bool((await explore_async(buggy, mode=mode, seed=seed)).failures)
        assert found >= len(programs) - 1, (mode, seed, found)


def _same_failure(outcome: Any, expected: Any) -> bool:
    return isinstance(outcome, Raised) and outcome == expected


@pytest.mark.parametrize("name", THREADS)
def test_every_printed_thread_schedule_replays_a_hundred_times(name: str) -> None:
    buggy, _ = THREADS[name]
    found = explore(buggy)
    first = found.failures[0]
    assert f"replay={first.steps!r}" in found.report()
    for _ in range(100):
        again = explore(buggy, replay=first.steps)
        (outcome,) = again.outcomes
        assert _same_failure(outcome, first.outcome), again.report()


@pytest.mark.loop_flavours("asyncio")
@pytest.mark.parametrize("name", TASKS)
async def test_every_printed_task_schedule_replays_a_hundred_times(name: str) -> None:
    buggy, _ = TASKS[name]
    found = await explore_async(buggy)
    first = found.failures[0]
    for _ in range(100):
        again = await explore_async(buggy, replay=first.steps)
        (outcome,) = again.outcomes
        assert _same_failure(outcome, first.outcome), again.report()
