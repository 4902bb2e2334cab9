"""Lincheck-style checks: scenarios of operations drawn by Hypothesis, each explored, each
history checked for linearizability against a sequential model; a failure shrinks.

    def make(steps):                       # the object under test, built for one schedule
        return Counter(steps)              # its methods mark their switch points with steps

    check_linearizable(make, CounterModel, {"increment": None, "get": None})

A scenario is a few operations run first in the main thread, then ``per_worker`` operations in
each of ``workers`` threads, explored (exhaustive with ``max_preemptions=2`` by default), then
a few more in the main thread. Hypothesis draws the operations (and their arguments, from the
strategy given for each name) and, when one scenario is not linearizable, shrinks it to a
smallest one. Needs ``hypothesis`` (a test extra).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .runner import explore

__all__ = ["check_linearizable"]


def check_linearizable(
    make: Callable[[Any], Any],
    model: Callable[[], Any],
    operations: Mapping[str, Any],
    *,
    workers: int = 2,
    per_worker: int = 2,
    before: int = 1,
    after: int = 1,
    max_examples: int = 25,
    mode: str = "exhaustive",
    max_preemptions: int | None = 2,
    runs: int | None = None,
) -> None:
    """Raise an :class:`AssertionError` (after Hypothesis shrank it) naming a scenario, and
    one of its schedules, whose history no sequential order of ``model()`` explains.

    ``operations`` maps a method name to a Hypothesis strategy of argument tuples, or to
    ``None`` for a method without arguments.
    """
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    def operation(name: str) -> Any:
        arguments = operations[name]
        if arguments is None:
            return st.just((name, ()))
        return arguments.map(lambda args: (name, tuple(args)))

    one = st.sampled_from(sorted(operations)).flatmap(operation)
    plans = st.tuples(
        st.lists(one, max_size=before),
        st.lists(
            st.lists(one, min_size=1, max_size=per_worker), min_size=workers, max_size=workers
        ),
        st.lists(one, max_size=after),
    )

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(plans)
    def check(plan: tuple[list[Any], list[list[Any]], list[Any]]) -> None:
        first, parallel, last = plan

        def scenario(steps: Any) -> None:
            target = make(steps)

            def call(name: str, args: tuple[Any, ...]) -> None:
                with steps.record(name, *args) as recorded:
                    recorded.returns(getattr(target, name)(*args))

            for name, args in first:
                call(name, args)

            def work(who: str) -> None:
                for name, args in parallel[int(who[1:])]:
                    call(name, args)

            steps.run_threads(work, *(f"t{i}" for i in range(workers)))
            for name, args in last:
                call(name, args)

        result = explore(scenario, mode=mode, max_preemptions=max_preemptions, runs=runs)
        result.assert_no_failures()
        result.assert_linearizable(model)

    check()
