"""Processes cost more than threads: to start, and to exchange data with.

A thread is a new stack in the same interpreter. A process is a new interpreter: forked from
this one (copying its page tables), or started fresh (``spawn``, and ``forkserver``'s children,
which then prepare their main module). Sending data to a thread is passing a reference;
sending it to a process means pickling it, writing it down a pipe and unpickling it there.

The specs count CPU time, not wall time: waiting for a CPU on a loaded machine adds wall time
to both sides at random, but not CPU time. A thread's cost shows in this process's CPU clock;
a child process reports its own CPU clock (which starts at zero in every new process) when
its target runs. Medians of repeated runs are compared with a margin of 5, below what every
interpreter here measured with two busy loops taking both CPUs (starting: 11 to 33 times for
fork, over 200 for forkserver, over 500 for spawn; the round trip of four megabytes: over 70
times).
"""

import statistics
import threading
import time

import pytest

from pytest_concurrency import hang_bound
from pytest_concurrency.spec_support.workloads import identity, report_cpu_time

REPEATS = 3
MARGIN = 5


def median_cpu_seconds(action):
    """The median, over ``REPEATS`` runs, of the CPU seconds ``action()`` returns plus those
    this process spent running it."""
    costs = []
    for _ in range(REPEATS):
        started = time.process_time()
        elsewhere = action()
        costs.append(time.process_time() - started + elsewhere)
    return statistics.median(costs)


@pytest.mark.claim("BAS-5", verdict="holds")
def test_starting_a_process_costs_more_than_starting_a_thread(mp_context):
    """Starting a process, letting it report and waiting for it costs several times the CPU
    time of doing the same with a thread, under every start method."""
    child_cpu = mp_context.Value("d", 0.0)

    def start_a_process():
        process = mp_context.Process(target=report_cpu_time, args=(child_cpu,))
        process.start()
        process.join(hang_bound("medium"))
        return child_cpu.value

    def start_a_thread():
        thread = threading.Thread(target=int)
        thread.start()
        thread.join(hang_bound())
        return 0.0  # the thread's CPU time is this process's

    assert median_cpu_seconds(start_a_process) > MARGIN * median_cpu_seconds(start_a_thread)


@pytest.mark.claim("BAS-5", verdict="holds")
def test_a_round_trip_of_data_costs_more_through_a_process_pool(executor_factory, start_method):
    """Sending four megabytes to a worker and getting it back costs this process several times
    more CPU through a process pool (pickled, piped, unpickled) than through a thread pool
    (a reference)."""
    payload = bytes(4_000_000)
    processes = executor_factory(f"process-{start_method}", max_workers=1)
    threads = executor_factory("thread", max_workers=1)
    processes.submit(identity, None).result(hang_bound("medium"))  # start the workers first
    threads.submit(identity, None).result(hang_bound())

    def through(pool):
        pool.submit(identity, payload).result(hang_bound("medium"))
        return 0.0  # only this process's side is counted

    assert median_cpu_seconds(lambda: through(processes)) > MARGIN * median_cpu_seconds(
        lambda: through(threads)
    )
