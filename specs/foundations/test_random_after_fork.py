"""Random numbers in process pool workers: which generators repeat across workers.

A forked child starts as a copy of its parent, generator state included. Python's ``random``
module registers a hook (``os.register_at_fork``) that reseeds its hidden shared generator in
every forked child; numpy registers none, so its legacy global generator (``np.random.randint``
and friends) is copied as it was. Two details decide whether workers repeat each other:

* the copy only exists if the parent had loaded ``numpy.random`` before forking. numpy 2
  loads it lazily, on the first use of ``np.random``; a child that loads it itself seeds it
  from the operating system.
* ``spawn`` starts a fresh interpreter, and ``forkserver`` forks from a server process that by
  default preloads only the main module (and nothing at all when it is run with ``-m``), not
  numpy: either way each worker seeds its own generator.

Each pool here has two workers that meet at a barrier before drawing, so two tasks always run
in two different processes; the specs check that with the worker pids.
"""

import random

import numpy as np
import pytest

from pytest_concurrency import hang_bound
from pytest_concurrency.spec_support.workloads import (
    keep_barrier,
    meet_then_numpy_draw,
    meet_then_private_random_draw,
    meet_then_random_draw,
    meet_then_reseeded_numpy_draw,
)

ONLY_AFTER_A_COPY = (
    "only under fork, and only if the parent had loaded numpy.random before forking (numpy 2 "
    "loads it lazily); spawn and forkserver workers seed their own generators"
)


@pytest.fixture
def two_workers(executor_factory, mp_context, start_method):
    """A process pool whose two workers wait for each other before each task returns."""
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


@pytest.mark.claim("BAS-8", verdict="conditional", note=ONLY_AFTER_A_COPY)
@pytest.mark.start_methods("fork")
def test_forked_workers_draw_the_same_numpy_numbers(two_workers):
    """Once the parent has used numpy's global generator, every worker forked from it starts
    from the same copied state and draws the same number."""
    np.random.randint(0, 10)  # the parent uses the generator before its workers are forked

    (first_pid, first), (second_pid, second) = draw_in_both(two_workers, meet_then_numpy_draw)

    assert first_pid != second_pid
    assert first == second


@pytest.mark.claim("BAS-8", verdict="conditional", note=ONLY_AFTER_A_COPY)
@pytest.mark.start_methods("spawn", "forkserver")
def test_spawned_and_forkserver_workers_seed_numpy_themselves(two_workers):
    """Workers not forked from this process load numpy afresh and draw different numbers,
    even though the parent used the generator."""
    np.random.randint(0, 10)

    (first_pid, first), (second_pid, second) = draw_in_both(two_workers, meet_then_numpy_draw)

    assert first_pid != second_pid
    assert first != second


@pytest.mark.claim("BAS-9", verdict="holds")
def test_reseeding_numpy_in_the_worker_gives_each_worker_its_own_numbers(two_workers):
    """``np.random.seed()`` with no argument reseeds from the operating system, so workers
    draw different numbers under every start method."""
    np.random.randint(0, 10)

    (first_pid, first), (second_pid, second) = draw_in_both(
        two_workers, meet_then_reseeded_numpy_draw
    )

    assert first_pid != second_pid
    assert first != second


@pytest.mark.claim("BAS-9", verdict="holds")
def test_the_random_module_gives_each_worker_its_own_numbers(two_workers):
    """The ``random`` module's functions draw from a generator that is reseeded in every
    forked child, and seeded afresh in spawned ones."""
    random.random()

    (first_pid, first), (second_pid, second) = draw_in_both(two_workers, meet_then_random_draw)

    assert first_pid != second_pid
    assert first != second


@pytest.mark.claim(
    "BAS-9",
    verdict="holds",
    note="holds for the random module's own shared generator, the one the note uses; only it "
    "is reseeded after fork: a random.Random() made before the fork is copied and repeats in "
    "every forked worker",
)
@pytest.mark.start_methods("fork")
def test_a_random_instance_made_before_the_fork_repeats_in_every_worker(two_workers):
    """A ``random.Random()`` object created at import (before the fork) is not reseeded:
    forked workers draw the same numbers from their copies."""
    (first_pid, first), (second_pid, second) = draw_in_both(
        two_workers, meet_then_private_random_draw
    )

    assert first_pid != second_pid
    assert first == second
