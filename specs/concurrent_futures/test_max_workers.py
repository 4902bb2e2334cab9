"""The default size of an executor: a ThreadPoolExecutor, then a ProcessPoolExecutor.

Since Python 3.8, ``ThreadPoolExecutor()`` makes at most ``min(32, CPUs + 4)`` threads
(Python 3.5 to 3.7 used five per CPU). Which CPU count changed in 3.13: before it, the
machine's (``os.cpu_count()``); from it, those this process may use
(``os.process_cpu_count()``, the CPU affinity on Linux).

The specs count the pool's threads through public means only: a pool makes a new thread per
``submit`` while none is idle, up to its maximum, so with every call held by a gate the number
of threads (named by ``thread_name_prefix``) and of running futures is the maximum.

A ``ProcessPoolExecutor()`` starts one worker per CPU (``os.cpu_count()``, from 3.13
``os.process_cpu_count()``; at most 61 on Windows). Its specs hold every call at the loopback
server and count the distinct worker pids that answered.
"""

import os
import threading

import pytest

from pytest_concurrency import Gate, hang_bound, wait_until
from pytest_concurrency.spec_support.workloads import fetch_then_pid

# The specs count a pool's threads by name: no warm pool's idle threads may be among them.
pytestmark = pytest.mark.fresh_pools(reason="counts the threads of each pool by name")

NOT_FIVE_PER_CPU = (
    "five threads per CPU was the default of Python 3.5-3.7; since 3.8 it is min(32, CPUs + 4)"
)


def threads_named(prefix):
    return [t for t in threading.enumerate() if t.name.startswith(prefix)]


def saturate(pool, gate, calls=40):
    """Submit more held calls than the pool can run; wait until the pool is at its limit."""
    futures = [pool.submit(gate.wait, hang_bound("medium")) for _ in range(calls)]
    wait_until(lambda: sum(f.running() for f in futures) == len(threads_named("sized")))
    return futures


@pytest.fixture
def pinned_to_one_cpu():
    """Restrict the calling thread (and the threads it starts) to CPU 0, then restore."""
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(saved)})
    yield
    os.sched_setaffinity(0, saved)


@pytest.mark.claim("CF-7", verdict="erratum", note=NOT_FIVE_PER_CPU)
@pytest.mark.implementation("the default worker count")
def test_the_default_pool_has_cpu_count_plus_four_threads(executor_factory):
    """On an unrestricted process, the default pool runs min(32, os.cpu_count() + 4) calls at
    once, and holds the rest pending."""
    gate = Gate()
    pool = executor_factory("thread", thread_name_prefix="sized")

    futures = saturate(pool, gate)
    running = sum(f.running() for f in futures)
    threads = len(threads_named("sized"))
    gate.open()

    assert threads == running == min(32, os.cpu_count() + 4)


@pytest.mark.claim("CF-7", verdict="erratum", note=NOT_FIVE_PER_CPU + "; capped at 32")
@pytest.mark.python("<3.13")
@pytest.mark.implementation("the default worker count")
def test_before_3_13_the_cap_of_32_applies_to_the_machine_cpu_count(executor_factory, monkeypatch):
    """With 64 CPUs reported by os.cpu_count(), the default pool stops at 32 threads."""
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    gate = Gate()
    pool = executor_factory("thread", thread_name_prefix="sized")
    monkeypatch.undo()

    futures = saturate(pool, gate)
    running = sum(f.running() for f in futures)
    gate.open()

    assert running == 32


@pytest.mark.claim("CF-7", verdict="erratum", note=NOT_FIVE_PER_CPU + "; capped at 32")
@pytest.mark.python(">=3.13")
@pytest.mark.implementation("the default worker count")
def test_from_3_13_the_cap_of_32_applies_to_the_process_cpu_count(executor_factory, monkeypatch):
    """With 64 CPUs reported by os.process_cpu_count(), the default pool stops at 32
    threads."""
    monkeypatch.setattr(os, "process_cpu_count", lambda: 64)
    gate = Gate()
    pool = executor_factory("thread", thread_name_prefix="sized")
    monkeypatch.undo()

    futures = saturate(pool, gate)
    running = sum(f.running() for f in futures)
    gate.open()

    assert running == 32


@pytest.mark.claim(
    "CF-7",
    verdict="erratum",
    note=NOT_FIVE_PER_CPU + "; before 3.13 CPUs means os.cpu_count(), ignoring affinity",
)
@pytest.mark.python("<3.13")
@pytest.mark.platform("linux")
@pytest.mark.implementation("the default worker count")
def test_before_3_13_the_default_ignores_cpu_affinity(pinned_to_one_cpu, executor_factory):
    """Pinned to one CPU, a pool made before Python 3.13 still sizes itself by every CPU of
    the machine: os.cpu_count() + 4 threads."""
    gate = Gate()
    pool = executor_factory("thread", thread_name_prefix="sized")

    futures = saturate(pool, gate)
    running = sum(f.running() for f in futures)
    gate.open()

    assert running == min(32, os.cpu_count() + 4)


@pytest.mark.claim(
    "CF-7",
    verdict="erratum",
    note=NOT_FIVE_PER_CPU + "; from 3.13 CPUs means os.process_cpu_count(), the affinity",
)
@pytest.mark.python(">=3.13")
@pytest.mark.platform("linux")
@pytest.mark.contract
def test_from_3_13_the_default_follows_cpu_affinity(pinned_to_one_cpu, executor_factory):
    """Pinned to one CPU, a pool made on Python 3.13 or later sizes itself by the CPUs it may
    use: 1 + 4 = 5 threads."""
    gate = Gate()
    pool = executor_factory("thread", thread_name_prefix="sized")

    futures = saturate(pool, gate)
    running = sum(f.running() for f in futures)
    gate.open()

    assert running == 5


PROCESS_POOL_NOT_FIVE_PER_CPU = (
    "the note gives five per CPU core for executors in general; a ProcessPoolExecutor's "
    "default is one worker per CPU, and never was five per core"
)


@pytest.mark.claim(
    "CF-7", verdict="erratum", note=PROCESS_POOL_NOT_FIVE_PER_CPU + " (os.cpu_count())"
)
@pytest.mark.python("<3.13")
@pytest.mark.implementation("the default worker count")
def test_before_3_13_a_default_process_pool_has_one_worker_per_cpu(
    http_server, start_method, executor_factory
):
    """With more calls than CPUs held at the server, a default process pool works on
    os.cpu_count() of them at once, each in a worker of its own, and no more workers ever
    take part."""
    http_server.hold()
    pool = executor_factory(f"process-{start_method}")
    calls = 5 * os.cpu_count()

    futures = [pool.submit(fetch_then_pid, http_server.url(f"/{n}")) for n in range(calls)]
    wait_until(lambda: http_server.in_flight == os.cpu_count(), timeout=hang_bound("medium"))
    http_server.release()
    workers = {future.result(hang_bound("medium")) for future in futures}

    assert len(workers) == os.cpu_count()


@pytest.mark.claim(
    "CF-7", verdict="erratum", note=PROCESS_POOL_NOT_FIVE_PER_CPU + " (os.process_cpu_count())"
)
@pytest.mark.python(">=3.13")
@pytest.mark.implementation("the default worker count")
def test_from_3_13_a_default_process_pool_has_one_worker_per_usable_cpu(
    http_server, start_method, executor_factory
):
    """With more calls than usable CPUs held at the server, a default process pool works on
    os.process_cpu_count() of them at once, each in a worker of its own, and no more workers
    ever take part."""
    http_server.hold()
    pool = executor_factory(f"process-{start_method}")
    calls = 5 * os.process_cpu_count()

    futures = [pool.submit(fetch_then_pid, http_server.url(f"/{n}")) for n in range(calls)]
    wait_until(
        lambda: http_server.in_flight == os.process_cpu_count(), timeout=hang_bound("medium")
    )
    http_server.release()
    workers = {future.result(hang_bound("medium")) for future in futures}

    assert len(workers) == os.process_cpu_count()
