"""Exploring real suspension points: a pure-Python loop that chooses which ready callback runs.

:class:`ReadyChoiceEventLoop` is the default selector loop with one change: while an
exploration is active and two or more callbacks are ready, it runs one of them, the one the
strategy picks, instead of all in FIFO order. A task switch can happen only where a task really
suspends (an ``await`` on something not yet done), so no marker is needed: ``await
explore_ready(scenario)`` runs ``async def scenario()`` once per order of the ready callbacks.
A choice is named after its callback: ``"task 2"`` for a step of the second task seen (a task's
own name when it was given one), else the callback's qualified name.

The loop flavour ``ready-callback`` offers it to async tests; it is chosen by name only (not part
of ``--loop-flavours=all``). Loops written in C or Rust (uvloop, rloop) cannot be steered this
way: there the mode is skipped, saying so.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from ..sync import HangError
from ..timeouts import hang_bound
from .record import note as note_exploration
from .report import Exploration, Raised
from .scheduler import DONE, RUNNING, WAITING, Run, Strategy, Worker, short_bound

__all__ = ["FLAVOUR", "ReadyChoiceEventLoop", "explore_ready", "why_not_ready_choice"]

#: The loop flavour's name.
FLAVOUR = "ready-callback"
_DEFAULT_NAME = re.compile(r"Task-\d+")


class ReadyChoiceEventLoop(asyncio.SelectorEventLoop):
    """The selector event loop, running one strategy-chosen ready callback at a time while an
    exploration is on (else exactly as its base)."""

    _chooser: Callable[[list[asyncio.Handle]], int] | None = None

    def _run_once(self) -> None:
        chooser = self._chooser
        ready: Any = self._ready  # type: ignore[attr-defined]
        if chooser is None or len(ready) < 2:
            super()._run_once()  # type: ignore[misc]
            return
        live = [h for h in ready if not h._cancelled]
        if len(live) < 2:
            super()._run_once()  # type: ignore[misc]
            return
        chosen = live[chooser(live)]
        ready.remove(chosen)
        chosen._run()


def why_not_ready_choice(loop: asyncio.AbstractEventLoop) -> str | None:
    """Why ready-callback exploration cannot run on ``loop``, or ``None``."""
    if isinstance(loop, ReadyChoiceEventLoop):
        return None
    kind = type(loop).__module__.split(".")[0]
    if kind in ("uvloop", "rloop"):
        return (
            f"exploring ready callbacks needs the pure-Python loop flavour {FLAVOUR!r}: {kind} "
            "runs its callbacks in native code, where no order can be chosen"
        )
    return f"exploring ready callbacks needs the loop flavour {FLAVOUR!r} (ReadyChoiceEventLoop)"


class _ReadyRun(Run):
    """One schedule of ready callbacks: each choice point becomes a :class:`Worker` option."""

    def __init__(self, strategy: Strategy) -> None:
        super().__init__(strategy)
        self.labels: dict[int, str] = {}
        self.tasks_seen = 0
        self.options: dict[str, Worker] = {}
        self.last: str | None = None

    def label(self, handle: asyncio.Handle) -> str:
        callback = handle._callback  # type: ignore[attr-defined]
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, asyncio.Task):
            key = id(owner)
            if key not in self.labels:
                self.tasks_seen += 1
                name = owner.get_name()
                self.labels[key] = (
                    f"task {self.tasks_seen}" if _DEFAULT_NAME.fullmatch(name) else name
                )
            return self.labels[key]
        return str(getattr(callback, "__qualname__", None) or type(callback).__name__)

    def choose(self, handles: list[asyncio.Handle]) -> int:
        labels = [self.label(h) for h in handles]
        workers = []
        for i, label in enumerate(labels):
            worker = self.options.get(label)
            if worker is None:
                worker = self.options[label] = Worker(len(self.options), label)
            worker.state, worker.pending = WAITING, label
            workers.append((worker, i))
        self.workers = [w for w, _ in workers]
        current = next((w for w, _ in workers if w.name == self.last), None)
        ordered = sorted(workers, key=lambda pair: pair[0].index)
        if current is not None and self.chosen_any:
            ordered = [p for p in ordered if p[0] is current] + [
                p for p in ordered if p[0] is not current
            ]
            bound = self.strategy.bound
            if bound is not None and self.preemptions >= bound:
                self.could_preempt_more = True
                ordered = ordered[:1]
        else:
            current = None
        options = [w for w, _ in ordered]
        picked = self.strategy.pick(self, options, current)
        chosen, index = ordered[picked]
        if current is not None and chosen is not current:
            self.preemptions += 1
        self.chosen_any = True
        self.schedule.append(chosen.name)
        self.last = chosen.name
        for worker in self.workers:
            worker.state = DONE if worker is not chosen else RUNNING
        return index


async def explore_ready(
    scenario: Callable[[], Awaitable[Any]],
    *,
    mode: str = "exhaustive",
    runs: int | None = None,
    seed: int | None = None,
    max_preemptions: int | None = None,
    replay: Any = None,
) -> Exploration:
    """Run ``await scenario()`` once per order of its ready callbacks, on the running
    :class:`ReadyChoiceEventLoop` (the ``ready-callback`` flavour). Same keywords and result as
    :func:`~pytest_concurrency.explore_async`."""
    from .runner import _record, _result, _strategy

    loop = asyncio.get_running_loop()
    reason = why_not_ready_choice(loop)
    if reason is not None:
        raise RuntimeError(reason)
    if not isinstance(loop, ReadyChoiceEventLoop):  # why_not_ready_choice said it was
        raise RuntimeError(f"the running loop {loop!r} cannot choose its ready callbacks")
    strategy, seed, budget = _strategy(mode, runs, seed, max_preemptions, replay)
    result = _result(strategy, seed, max_preemptions, budget, "ready callbacks", replay)
    bound = short_bound(hang_bound)
    while strategy.begin():
        run = _ReadyRun(strategy)
        error: BaseException | None = None

        def choose(handles: list[asyncio.Handle], run: _ReadyRun = run) -> int:
            try:
                return run.choose(handles)
            except AssertionError as problem:  # a replay that does not fit
                run.failure = problem
                loop._chooser = None
                return 0

        loop._chooser = choose
        try:
            outcome = await asyncio.wait_for(_call(scenario), bound)
        except asyncio.TimeoutError:
            error = HangError(
                f"the scenario did not end within {bound:.1f} s (the short hang bound) after "
                f"the schedule {run.schedule}"
            )
            run.failure = error
            outcome = Raised.of(error)
        except Exception as raised:
            outcome, error = Raised.of(raised), raised
        finally:
            loop._chooser = None
        if run.failure is not None and error is None:
            outcome, error = Raised.of(run.failure), run.failure
        if not _record(result, strategy, run, outcome, error):
            break
    result.complete = strategy.complete
    note_exploration(result)
    return result


async def _call(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return await scenario()


def new_ready_choice_loop() -> asyncio.AbstractEventLoop:
    """The flavour's factory."""
    return ReadyChoiceEventLoop()
