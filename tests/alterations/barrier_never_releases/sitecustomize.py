"""threading.Barrier.wait (and so multiprocessing's Barrier) never lets anyone through and
ignores its timeout. The pool workers that meet at a barrier block for ever: a spec must give
up on them within its bound and its pool must still be shut down."""

import threading

CLAIMS = ("BAS-9",)
SPECS = (
    "specs/foundations/test_random_after_fork.py::test_the_random_module_gives_each_worker_its_own_numbers",
)
ARGS = ("--start-methods=fork",)  # each start method waits out a medium bound


def _wait(self, timeout=None):
    threading.Event().wait()  # never set


threading.Barrier.wait = _wait
