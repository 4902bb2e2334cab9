"""Interleaving exploration: run a scenario under every order (or a sample) of its steps.

``explore(scenario)`` for threads, ``await explore_async(scenario)`` for tasks; both return an
:class:`Exploration`. See the guide's section "My code may race".

========================  ==========================================================
``scheduler``             workers, choice points, the strategies (exhaustive, random, PCT, replay)
``threads``               threads: pooled workers, direct hand-off, cooperative primitives
``tasks``                 tasks on the running loop, cooperative primitives
``runner``                ``explore`` and ``explore_async``
``report``                :class:`Exploration` and its one-screen report
``linearizability``       Wing-Gong search of recorded histories
``loop``                  the ``ready-callback`` loop flavour and ``explore_ready``
``lincheck``              Hypothesis-drawn scenarios of operations, checked for linearizability
``record``                what a test's explorations found, for the claims report
``pytest_plugin``         the ``explore`` marker, the ``steps`` fixture, the options
========================  ==========================================================
"""

from __future__ import annotations

from .loop import ReadyChoiceEventLoop, explore_ready
from .report import Exploration, Raised, Schedule
from .runner import explore, explore_async
from .scheduler import DeadlockError, NondeterminismError, ReplayError

__all__ = [
    "DeadlockError",
    "Exploration",
    "NondeterminismError",
    "Raised",
    "ReadyChoiceEventLoop",
    "ReplayError",
    "Schedule",
    "explore",
    "explore_async",
    "explore_ready",
]
