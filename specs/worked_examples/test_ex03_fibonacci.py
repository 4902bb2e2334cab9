"""Worked example: the same CPU-bound Fibonacci work run sequentially, on threads, and on
processes.

The note computes a large Fibonacci number once per CPU, three ways, and reports 168 s for
the sequential run and about 14 s for the process pool. Those numbers belong to the note's
machine (a dozen or more CPUs, judging by the ratio); the shape is what holds: threads are no
faster than sequential code under the GIL, and a process pool is faster by up to the number of
CPUs; without the GIL (free-threaded builds) threads are faster too. Here each run computes
``fibonacci(27)`` (a fraction of a second in all) once per task, with twice as many tasks as
CPUs.

Timings on a shared machine are distorted only one way: other programs add wall time, never
take it away. So the threads spec compares each threaded run's wall time with the CPU time its
own threads spent (other programs can only add wall time, and CPU time inflated by a busy
machine is inflated in the same run); the process spec accepts the first run that shows the
speed-up, fails on a run that falls short while CPU time was left idle, and skips if other
programs keep every CPU busy up to the ``short`` hang bound.
"""

import time

import pytest

from pytest_concurrency import hang_bound, usable_cpus
from pytest_concurrency.cpu import ratio_to_wall_time
from pytest_concurrency.spec_support.workloads import fibonacci, fibonacci_cpu_seconds, square

SIZE = 27
REPEATS = 3

MACHINE_DEPENDENT = (
    "the note's 168 s against 14 s (12 times) is one machine's measurement, with many CPUs (the "
    "note says the figure depends on the CPU count); the "
    "speed-up is bounded by the usable CPUs (at most 2 here), so the spec asks for more than "
    "1 + 0.2 * (CPUs - 1)"
)


def timed(action):
    """``action()``'s result and the wall time it took."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def sequential_cpu_seconds(tasks):
    """The CPU time one thread needs to compute every task one after the other."""
    started = time.thread_time()
    for _ in range(tasks):
        fibonacci(SIZE)
    return time.thread_time() - started


def threads_cpu_seconds(pool, tasks):
    """Compute fibonacci(SIZE) ``tasks`` times in ``pool``; the CPU seconds of each call."""
    return pool.map(fibonacci_cpu_seconds, [SIZE] * tasks, timeout=hang_bound("medium"))


def compute(pool, tasks):
    """Compute fibonacci(SIZE) ``tasks`` times in ``pool``; every result, in order."""
    return list(pool.map(fibonacci, [SIZE] * tasks, timeout=hang_bound("medium")))


@pytest.mark.claim("EX-3", verdict="holds")
@pytest.mark.gil("enabled")
def test_threads_take_as_long_as_the_work_takes_on_one_cpu(executor_factory):
    """Spread over a thread pool, the Fibonacci work takes no less wall time than the CPU time
    the threads spend on it, as if one CPU did it all: under the GIL the threads take turns."""
    tasks = 2 * usable_cpus()
    threads = executor_factory("thread", max_workers=tasks)

    cpu_over_wall = []
    for _ in range(REPEATS):
        cpu_seconds, wall = timed(lambda: sum(threads_cpu_seconds(threads, tasks)))
        cpu_over_wall.append(cpu_seconds / wall)

    assert max(cpu_over_wall) < 1.1


@pytest.mark.claim(
    "EX-3",
    verdict="holds",
    note="the note gives no figure for the thread pool; under the GIL it takes as long as one "
    "CPU, but on a free-threaded build (3.13t) the threads compute on several CPUs at once and "
    "finish sooner than one CPU could, like the process pool",
)
@pytest.mark.gil("disabled")
@pytest.mark.cpus(2)
@pytest.mark.platform("linux")
def test_without_the_gil_threads_finish_the_work_sooner_than_one_cpu_could(executor_factory):
    """On a free-threaded build the thread pool finishes the Fibonacci work in less wall time
    than the CPU time it needs run sequentially: the threads compute at the same time."""
    tasks = 2 * usable_cpus()
    threads = executor_factory("thread", max_workers=tasks)
    one_cpu = sequential_cpu_seconds(4 * tasks)
    needed = 1 + 0.2 * (usable_cpus() - 1)

    def compute_in_the_pool():
        compute(threads, 4 * tasks)
        return one_cpu  # the speed-up is one CPU's time over the pool's wall time

    speed_up = ratio_to_wall_time(compute_in_the_pool, needed=needed)

    assert speed_up > needed


@pytest.mark.claim("EX-3", verdict="holds", note=MACHINE_DEPENDENT)
@pytest.mark.cpus(2)
@pytest.mark.platform("linux")
@pytest.mark.start_methods("fork")
def test_a_process_pool_finishes_the_work_sooner_than_one_cpu_could(executor_factory, start_method):
    """A process pool finishes the Fibonacci work in less wall time than the CPU time it
    needs run sequentially: its workers compute on several CPUs at once."""
    tasks = 2 * usable_cpus()
    processes = executor_factory(f"process-{start_method}", max_workers=tasks)
    list(processes.map(square, range(tasks), timeout=hang_bound("medium")))  # start them all
    one_cpu = sequential_cpu_seconds(2 * tasks)
    needed = 1 + 0.2 * (usable_cpus() - 1)

    def compute_in_the_pool():
        compute(processes, 2 * tasks)
        return one_cpu  # the speed-up is one CPU's time over the pool's wall time

    speed_up = ratio_to_wall_time(compute_in_the_pool, needed=needed)

    assert speed_up > needed
