"""``explore`` and ``explore_async``: run a scenario once per schedule and gather the outcomes."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import zlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ..sync import HangError
from ..timeouts import hang_bound
from .record import note as note_exploration
from .report import Exploration, Raised, Schedule
from .scheduler import (
    PCT,
    Exhaustive,
    NondeterminismError,
    RandomWalk,
    Replay,
    Strategy,
    short_bound,
)
from .tasks import TaskRun, TaskSteps
from .threads import ThreadPool, ThreadRun, ThreadSteps

__all__ = ["DEFAULT_BUDGET", "DEFAULT_RUNS", "MODES", "default_seed", "explore", "explore_async"]

MODES = ("exhaustive", "random", "pct")
#: Runs of random and PCT modes when ``runs`` is not given.
DEFAULT_RUNS = 200
#: Schedules exhaustive mode tries before it stops and says the space is too large.
DEFAULT_BUDGET = 20_000

#: Set by the pytest plugin: ``--explore-seed`` (or its ini twin) and pytest-randomly's seed.
session_seed: int | None = None
randomly_seed: int | None = None


def default_seed(nodeid: str | None = None) -> int:
    """``--explore-seed`` if given, else one derived from the test's node id and
    pytest-randomly's seed: the same on every interpreter (crc32, not the salted ``hash``)."""
    if session_seed is not None:
        return session_seed
    if nodeid is None:
        current = os.environ.get("PYTEST_CURRENT_TEST", "")
        nodeid = current.rsplit(" ", 1)[0]
    return zlib.crc32(f"{nodeid}|{randomly_seed or 0}".encode())


def parse_schedule(text: str) -> list[str]:
    """A schedule given as text: step names joined by ``|`` (as reports print it), a JSON
    list, or names joined by commas."""
    text = text.strip()
    if text.startswith("["):
        names = json.loads(text)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError(f"a schedule is a list of step names, got {text!r}")
        return names
    separator = "|" if "|" in text or "," not in text else ","
    return [name.strip() for name in text.split(separator)]


def _strategy(
    mode: str,
    runs: int | None,
    seed: int | None,
    max_preemptions: int | None,
    replay: Sequence[str] | str | None,
) -> tuple[Strategy, int | None, int | None]:
    if mode not in MODES:
        raise ValueError(f"unknown exploration mode {mode!r}; accepted: {', '.join(MODES)}")
    if max_preemptions is not None and max_preemptions < 0:
        raise ValueError(f"max_preemptions must be 0 or more, got {max_preemptions}")
    if runs is not None and runs < 1:
        raise ValueError(f"runs must be 1 or more, got {runs}")
    if replay is not None:
        schedule = parse_schedule(replay) if isinstance(replay, str) else list(replay)
        return Replay(schedule, runs or 1), None, None
    if mode == "exhaustive":
        return Exhaustive(max_preemptions), None, runs or DEFAULT_BUDGET
    if seed is None:
        seed = default_seed()
    if mode == "random":
        return RandomWalk(seed, runs or DEFAULT_RUNS, max_preemptions), seed, None
    return PCT(seed, runs or DEFAULT_RUNS, max_preemptions=max_preemptions), seed, None


def _result(
    strategy: Strategy,
    seed: int | None,
    max_preemptions: int | None,
    budget: int | None,
    kind: str,
    replay: Sequence[str] | str | None,
) -> Exploration:
    result = Exploration(
        mode=strategy.mode, seed=seed, max_preemptions=max_preemptions, budget=budget, kind=kind
    )
    if isinstance(strategy, Replay):
        result.replay = strategy.schedule
    return result


def _record(
    result: Exploration, strategy: Strategy, run: Any, outcome: Any, error: BaseException | None
) -> bool:
    """Add the run; ``False`` when the exploration must stop (a hang, a nondeterministic
    scenario, the budget spent)."""
    schedule = Schedule(list(run.schedule), run.preemptions, outcome, run.history, error)
    if strategy.end(run):
        result.add(schedule)
    if isinstance(run.failure, HangError):
        result.hang = schedule
        return False
    if isinstance(run.failure, NondeterminismError):
        return False
    if result.budget is not None and result.schedules >= result.budget and not strategy.complete:
        result.truncated = True
        return False
    return True


def explore(
    scenario: Callable[[ThreadSteps], Any],
    *,
    mode: str = "exhaustive",
    runs: int | None = None,
    seed: int | None = None,
    max_preemptions: int | None = None,
    replay: Sequence[str] | str | None = None,
) -> Exploration:
    """Run ``scenario(steps)`` once per schedule of its threads' steps; see the guide,
    "My code may race".

    ``mode``: ``"exhaustive"`` (every schedule, up to ``runs`` as a budget, default 20,000;
    with ``max_preemptions``, bounds 0, 1, ... in turn), ``"random"`` or ``"pct"`` (``runs``
    runs, default 200, from ``seed``). ``replay``: one schedule (a list of step names, or them
    joined by ``|``) to run again.
    """
    if inspect.iscoroutinefunction(scenario):
        raise TypeError("an async scenario is explored with 'await explore_async(scenario)'")
    strategy, seed, budget = _strategy(mode, runs, seed, max_preemptions, replay)
    result = _result(strategy, seed, max_preemptions, budget, "threads", replay)
    pool = ThreadPool()
    try:
        while strategy.begin():
            run = ThreadRun(strategy, pool)
            error: BaseException | None = None
            try:
                outcome = scenario(ThreadSteps(run))
            except Exception as raised:
                outcome, error = Raised.of(raised), raised
            if not _record(result, strategy, run, outcome, error):
                break
        result.complete = strategy.complete
    finally:
        result.stuck_threads = len(pool.close(short_bound(hang_bound)))
    note_exploration(result)
    return result


async def explore_async(
    scenario: Callable[[TaskSteps], Awaitable[Any]],
    *,
    mode: str = "exhaustive",
    runs: int | None = None,
    seed: int | None = None,
    max_preemptions: int | None = None,
    replay: Sequence[str] | str | None = None,
) -> Exploration:
    """:func:`explore` for ``async def scenario(steps)``, whose workers are tasks on the
    running loop (``await steps.run_tasks(coro_fn, *args)``)."""
    if not inspect.iscoroutinefunction(scenario) and not callable(scenario):
        raise TypeError("explore_async takes an async function of steps")
    strategy, seed, budget = _strategy(mode, runs, seed, max_preemptions, replay)
    result = _result(strategy, seed, max_preemptions, budget, "tasks", replay)
    loop = asyncio.get_running_loop()
    while strategy.begin():
        run = TaskRun(strategy, loop)
        error: BaseException | None = None
        try:
            outcome = await scenario(TaskSteps(run))
        except Exception as raised:
            outcome, error = Raised.of(raised), raised
        if not _record(result, strategy, run, outcome, error):
            break
    result.complete = strategy.complete
    note_exploration(result)
    return result
