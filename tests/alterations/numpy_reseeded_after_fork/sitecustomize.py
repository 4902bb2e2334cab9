"""numpy's legacy global generator is reseeded in every forked child, as the random module's
is: forked children no longer repeat the parent's numbers."""

import os
import sys

CLAIMS = ("BAS-8",)
SPECS = (
    "specs/foundations/test_default_start_method.py::test_before_3_14_default_pool_workers_on_linux_repeat_the_parents_numpy_numbers",
    "specs/foundations/test_random_after_fork.py::test_forked_workers_draw_the_same_numpy_numbers",
    "specs/worked_examples/test_ex05_random_in_workers.py::test_workers_forked_after_the_parent_used_numpy_repeat_its_numbers",
)
ARGS = ("--start-methods=fork",)


def _reseed_numpy():
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()


os.register_at_fork(after_in_child=_reseed_numpy)
