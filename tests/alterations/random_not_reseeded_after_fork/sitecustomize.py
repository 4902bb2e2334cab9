"""The random module does not reseed itself in a forked child: every child forked from one
parent draws the parent's next numbers."""

import os
import random

CLAIMS = ("BAS-9", "EX-21")
SPECS = (
    "specs/foundations/test_random_after_fork.py::test_the_random_module_gives_each_worker_its_own_numbers",
    "specs/worked_examples/test_ex05_random_in_workers.py::test_the_builtin_random_module_makes_the_numbers_differ",
)
ARGS = ("--start-methods=fork",)

_state_at_fork = []


def _save_state():
    _state_at_fork[:] = [random.getstate()]


def _restore_state():
    # Runs after random's own reseed (child hooks run in the order registered): undo it.
    random.setstate(_state_at_fork[0])


os.register_at_fork(before=_save_state, after_in_child=_restore_state)
