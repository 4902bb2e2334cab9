"""The scheduling core shared by threads and tasks: workers, choices, and the search strategies.

One schedule is one run of the scenario. Exactly one worker runs at a time (it holds the
*token*); a worker gives the token up only at a step boundary, where it asks for its next step,
and the :class:`Run` decides (through a :class:`Strategy`) which waiting worker goes on. The list
of the chosen step names is the schedule: a Sequencer order.

Strategies: :class:`Exhaustive` (stateless depth-first search: each run replays the prefix of
choices of the previous one and takes the next alternative at the deepest choice point that has
one; with a preemption bound, the bounds 0, 1, 2, ... in turn), :class:`RandomWalk`,
:class:`PCT` (probabilistic concurrency testing, Burckhardt et al. 2010) and :class:`Replay`.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..sync import worker_names
from ..timeouts import hang_bound as _ORIGINAL_BOUND

__all__ = [
    "PCT",
    "Aborted",
    "DeadlockError",
    "Exhaustive",
    "RandomWalk",
    "Replay",
    "ReplayError",
    "Run",
    "Strategy",
    "Worker",
    "worker_names",
]

NEW, WAITING, RUNNING, DONE = "new", "waiting", "running", "done"


def short_bound(patched: Callable[[str], float]) -> float:
    """The short hang bound: ``patched`` (a module's own ``hang_bound`` name, which a test may
    have replaced) if replaced, else :func:`pytest_concurrency.timeouts.hang_bound`'s, read
    through the module so that a replacement there counts too."""
    if patched is not _ORIGINAL_BOUND:
        return patched("short")
    current: Callable[[str], float] = sys.modules[_ORIGINAL_BOUND.__module__].hang_bound
    return current("short")


class Aborted(BaseException):
    """Raised inside a worker whose schedule was abandoned (a deadlock, a hang, a replay that
    no longer fits): the worker unwinds, releasing what it holds. Not an outcome."""


class DeadlockError(AssertionError):
    """Every worker left waits for a step that can never be granted."""


class ReplayError(AssertionError):
    """A replayed schedule names a step that no waiting worker asks for."""


class NondeterminismError(AssertionError):
    """A replayed prefix met a different set of choices: the scenario is not deterministic
    apart from its steps (it reads the clock, a random number, shared state of an earlier run)."""


class Worker:
    """One thread or task under exploration."""

    __slots__ = (
        "counts",
        "enabled",
        "error",
        "handle",
        "index",
        "name",
        "on_grant",
        "parked",
        "pending",
        "result",
        "state",
    )

    def __init__(self, index: int, name: str) -> None:
        self.index = index
        self.name = name
        self.state = NEW
        self.pending: str | None = None
        self.enabled: Callable[[], bool] | None = None
        self.on_grant: Callable[[], None] | None = None
        self.counts: dict[str, int] = {}
        self.result: Any = None
        self.error: BaseException | None = None
        self.parked = False
        self.handle: Any = None

    def __repr__(self) -> str:
        return f"<worker {self.name!r} {self.state} {self.pending!r}>"


class Strategy:
    """Chooses, at each step boundary, which of the waiting workers goes on."""

    mode = "?"
    bound: int | None = None

    def begin(self) -> bool:
        """Start a run; ``False`` when the search is over."""
        raise NotImplementedError

    def pick(self, run: Run, options: list[Worker], current: Worker | None) -> int:
        """The index in ``options`` of the worker to run. ``options[0]`` is ``current`` when
        it may go on (continuing it is no preemption); the others follow by worker order."""
        raise NotImplementedError

    def end(self, run: Run) -> bool:
        """Finish a run; ``True`` if it counts as a new schedule."""
        return True

    @property
    def complete(self) -> bool:
        """Whether the search covered its whole space (exhaustive mode)."""
        return False


class Exhaustive(Strategy):
    """Depth-first search over the choice points, without state: replay a prefix, then take the
    first alternative at each new point; backtrack at the deepest point with one left."""

    mode = "exhaustive"

    def __init__(self, max_preemptions: int | None) -> None:
        self.max_preemptions = max_preemptions
        self.bound = None if max_preemptions is None else 0
        self.path: list[list[int]] = []  # [chosen, number of options] per branching point
        self.depth = 0
        self.done = False
        self.restricted = False  # whether the bound in force cut off a preemption

    def begin(self) -> bool:
        self.depth = 0
        return not self.done

    def pick(self, run: Run, options: list[Worker], current: Worker | None) -> int:
        n = len(options)
        if n == 1:
            return 0
        depth = self.depth
        self.depth += 1
        if depth < len(self.path):
            chosen, known = self.path[depth]
            if known != n:
                raise NondeterminismError(
                    f"choice point {depth + 1} offered {n} workers on replay, {known} before: the "
                    "scenario must do the same thing for the same schedule (fresh state each run)"
                )
            return chosen
        self.path.append([0, n])
        return 0

    def end(self, run: Run) -> bool:
        counts = self.bound is None or self.bound == 0 or run.preemptions == self.bound
        self.restricted = self.restricted or run.could_preempt_more
        del self.path[self.depth :]
        while self.path and self.path[-1][0] + 1 >= self.path[-1][1]:
            self.path.pop()
        if self.path:
            self.path[-1][0] += 1
        elif self.bound is not None and self.max_preemptions is not None:
            if self.bound < self.max_preemptions and self.restricted:
                self.bound += 1
                self.restricted = False
            else:
                self.done = True
        else:
            self.done = True
        return counts

    @property
    def complete(self) -> bool:
        return self.done


class RandomWalk(Strategy):
    """At each step boundary, a waiting worker chosen uniformly, from a seeded generator."""

    mode = "random"

    def __init__(self, seed: int, runs: int, max_preemptions: int | None = None) -> None:
        self.rng = random.Random(seed)
        self.left = runs
        self.bound = max_preemptions

    def begin(self) -> bool:
        self.left -= 1
        return self.left >= 0

    def pick(self, run: Run, options: list[Worker], current: Worker | None) -> int:
        return self.rng.randrange(len(options)) if len(options) > 1 else 0


class PCT(Strategy):
    """Probabilistic concurrency testing: random distinct priorities, the highest-priority
    waiting worker runs, and at ``depth - 1`` random change points the running worker drops
    to a low priority. Finds a bug of depth d with probability at least 1/(n k^(d-1))."""

    mode = "pct"

    def __init__(
        self, seed: int, runs: int, depth: int = 3, max_preemptions: int | None = None
    ) -> None:
        self.rng = random.Random(seed)
        self.left = runs
        self.depth = depth
        self.bound = max_preemptions
        self.longest = 8
        self.priorities: dict[int, float] = {}
        self.changes: dict[int, int] = {}

    def begin(self) -> bool:
        self.left -= 1
        if self.left < 0:
            return False
        self.priorities = {}
        points = self.rng.sample(range(1, self.longest + 1), min(self.depth - 1, self.longest))
        self.changes = {point: rank for rank, point in enumerate(sorted(points))}
        return True

    def pick(self, run: Run, options: list[Worker], current: Worker | None) -> int:
        for worker in options:
            if worker.index not in self.priorities:
                self.priorities[worker.index] = self.depth + self.rng.random()
        best = max(range(len(options)), key=lambda i: self.priorities[options[i].index])
        rank = self.changes.get(len(run.schedule))
        if rank is not None:
            self.priorities[options[best].index] = rank / (self.depth + 1)
            best = max(range(len(options)), key=lambda i: self.priorities[options[i].index])
        return best

    def end(self, run: Run) -> bool:
        self.longest = max(self.longest, len(run.schedule))
        return True


class Replay(Strategy):
    """Follow a given schedule, then go on without preemptions."""

    mode = "replay"

    def __init__(self, schedule: Sequence[str], runs: int = 1) -> None:
        self.schedule = list(schedule)
        self.left = runs

    def begin(self) -> bool:
        self.left -= 1
        return self.left >= 0

    def pick(self, run: Run, options: list[Worker], current: Worker | None) -> int:
        position = len(run.schedule)
        if position >= len(self.schedule):
            return 0
        wanted = self.schedule[position]
        for i, worker in enumerate(options):
            if worker.pending == wanted:
                return i
        asked = [w.pending for w in run.workers if w.state == WAITING]
        raise ReplayError(
            f"replay: step {position + 1} of the schedule is {wanted!r}, but the workers wait "
            f"for {asked} (those that may go on: {[w.pending for w in options]}), after "
            f"{run.schedule}"
        )


class Run:
    """The state of one schedule: its workers, the steps chosen so far, preemptions.

    Subclasses (threads, tasks) hand the token over; this class decides who gets it.
    """

    def __init__(self, strategy: Strategy) -> None:
        self.strategy = strategy
        self.workers: list[Worker] = []
        self.schedule: list[str] = []
        self.preemptions = 0
        self.could_preempt_more = False
        self.chosen_any = False
        self.aborted = False
        self.failure: BaseException | None = None
        self.errors: list[BaseException] = []
        self.history: list[tuple[Any, ...]] = []
        self.progress = 0
        self.owners: dict[str, str] = {}
        self.primitives = 0
        #: Who takes a step outside the workers (before or after them): it never waits.
        self.main = Worker(-1, "main")

    def step_name(self, worker: Worker, name: str) -> str:
        """The name of ``worker``'s step ``name`` in schedules: ``"a reads#2"`` the second
        time. A name two workers use is refused: a schedule could not tell them apart."""
        count = worker.counts.get(name, 0) + 1
        worker.counts[name] = count
        owner = self.owners.setdefault(name, worker.name)
        if owner != worker.name:
            raise ValueError(
                f"step {name!r} is used by workers {owner!r} and {worker.name!r}: a schedule "
                f"could not tell them apart; put the worker in the name (f'{{who}} {name}')"
            )
        return name if count == 1 else f"{name}#{count}"

    def decide(self, me: Worker | None) -> Worker | None:
        """The worker to run next (``me`` to go on), or ``None`` when no worker may run."""
        for worker in self.workers:
            if worker.state == NEW:
                return worker
        candidates = [
            w for w in self.workers if w.state == WAITING and (w.enabled is None or w.enabled())
        ]
        if not candidates:
            return None
        current = me if (self.chosen_any and me is not None and me in candidates) else None
        if current is not None and len(candidates) > 1:
            options = [current, *(w for w in candidates if w is not current)]
            bound = self.strategy.bound
            if bound is not None and self.preemptions >= bound:
                self.could_preempt_more = True
                options = [current]
        else:
            options = candidates
        chosen = options[self.strategy.pick(self, options, current)]
        if current is not None and chosen is not current:
            self.preemptions += 1
        self.chosen_any = True
        if chosen.pending is None:  # a worker is offered only while it waits at a step
            raise RuntimeError(f"worker {chosen!r} was chosen without a step to take")
        self.schedule.append(chosen.pending)
        chosen.state = RUNNING
        chosen.enabled = None
        grant, chosen.on_grant = chosen.on_grant, None
        if grant is not None:
            grant()
        self.progress += 1
        return chosen

    def grant_main(
        self, enabled: Callable[[], bool] | None, on_grant: Callable[[], None] | None, name: str
    ) -> None:
        """A step outside the workers: nothing else runs, so it is granted at once (or, if it
        could never be, a deadlock)."""
        if enabled is not None and not enabled():
            raise DeadlockError(f"deadlock: {name!r}, outside the workers, can never go on")
        if on_grant is not None:
            on_grant()

    def all_done(self) -> bool:
        return all(w.state == DONE for w in self.workers)

    def deadlock(self) -> DeadlockError:
        waiting = [w for w in self.workers if w.state == WAITING]
        what = "; ".join(f"{w.name} waits to {w.pending!r}" for w in waiting)
        return DeadlockError(f"deadlock: {what}")

    def running_worker(self) -> Worker | None:
        return next((w for w in self.workers if w.state == RUNNING), None)
