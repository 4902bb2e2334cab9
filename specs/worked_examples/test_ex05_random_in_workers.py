"""Worked example: numpy's global generator in process pool workers, and two fixes.

The note's program imports numpy, submits a few ``np.random.random()`` calls to a process pool
on Linux (where the default start method is fork up to Python 3.13) and sees repeated values.
That needs the parent to have loaded ``numpy.random`` before the workers were forked: numpy 2
loads it lazily, and the note's parent never touches ``np.random``, so as written its workers
draw distinct values. Once the parent has used the generator the duplicates are real, and both
of the note's fixes work: reseeding in the worker, or the built-in ``random`` module.
"""

import random
import subprocess
import sys

import numpy as np
import pytest

from pytest_concurrency import hang_bound
from pytest_concurrency.spec_support.workloads import (
    keep_barrier,
    meet_then_numpy_draw,
    meet_then_random_draw,
    meet_then_reseeded_numpy_draw,
)

# A parent that imports numpy but never uses np.random, like the note's program. It prints
# whether numpy.random was loaded before the fork, how many workers answered, and how many
# distinct values they drew.
PARENT_THAT_NEVER_USES_NP_RANDOM = """
import concurrent.futures, multiprocessing, sys
import numpy
from pytest_concurrency.spec_support.workloads import keep_barrier, meet_then_numpy_draw

if __name__ == "__main__":
    loaded = "numpy.random" in sys.modules
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(
        2, mp_context=context, initializer=keep_barrier, initargs=(context.Barrier(2),)
    ) as pool:
        futures = [pool.submit(meet_then_numpy_draw) for _ in range(2)]
        draws = [f.result(timeout=60) for f in futures]
    print(loaded, len({pid for pid, _ in draws}), len({value for _, value in draws}))
"""


# The note's problem is about forked workers: the pools below use the fork start method.
pytestmark = pytest.mark.start_methods("fork")


@pytest.fixture
def two_forked_workers(executor_factory, mp_context, start_method):
    """A fork pool whose two workers wait for each other before each task returns."""
    return executor_factory(
        f"process-{start_method}",
        max_workers=2,
        initializer=keep_barrier,
        initargs=(mp_context.Barrier(2),),
        fresh=True,  # the claim is about the state workers start with
    )


def draw_in_both(pool, work):
    """Run ``work`` once in each worker; return the two (pid, draw) pairs."""
    futures = [pool.submit(work) for _ in range(2)]
    return [future.result(hang_bound("medium")) for future in futures]


@pytest.mark.claim(
    "BAS-8",
    verdict="conditional",
    note="forked children repeat the parent's numpy numbers, but only if the parent had "
    "loaded numpy.random before forking; the note's EX-5 program does not (see below)",
)
def test_workers_forked_after_the_parent_used_numpy_repeat_its_numbers(two_forked_workers):
    """After the parent has drawn from numpy's global generator, two forked workers draw the
    same value."""
    np.random.random()

    (first_pid, first), (second_pid, second) = draw_in_both(
        two_forked_workers, meet_then_numpy_draw
    )

    assert first_pid != second_pid
    assert first == second


@pytest.mark.claim(
    "EX-5",
    verdict="erratum",
    note="as written the note's program shows no duplicates on numpy 2: its parent never uses "
    "np.random, which numpy 2 loads lazily, so each forked worker seeds its own generator",
)
@pytest.mark.platform("linux")
@pytest.mark.library("numpy", ">=2.2")
def test_a_parent_that_never_used_np_random_gets_distinct_numbers_from_its_workers():
    """A fresh interpreter that only imports numpy forks two workers; each loads numpy.random
    itself, seeds it from the operating system, and draws a different value."""
    finished = subprocess.run(
        [sys.executable, "-c", PARENT_THAT_NEVER_USES_NP_RANDOM],
        capture_output=True,
        text=True,
        timeout=hang_bound("medium"),
        check=True,
    )

    loaded_before_fork, workers, distinct_values = finished.stdout.split()
    assert (loaded_before_fork, workers, distinct_values) == ("False", "2", "2")


@pytest.mark.claim("EX-21", verdict="holds")
def test_seeding_numpy_in_each_worker_makes_the_numbers_differ(two_forked_workers):
    """The note's first fix: ``np.random.seed()`` in the worker, before drawing."""
    np.random.random()

    (first_pid, first), (second_pid, second) = draw_in_both(
        two_forked_workers, meet_then_reseeded_numpy_draw
    )

    assert first_pid != second_pid
    assert first != second


@pytest.mark.claim(
    "EX-21",
    verdict="holds",
    note="the note's listing of this fix calls random.random() without importing random",
)
def test_the_builtin_random_module_makes_the_numbers_differ(two_forked_workers):
    """The note's second fix: the built-in ``random`` module is reseeded in forked children."""
    random.random()

    (first_pid, first), (second_pid, second) = draw_in_both(
        two_forked_workers, meet_then_random_draw
    )

    assert first_pid != second_pid
    assert first != second
