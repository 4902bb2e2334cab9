"""Executors: one module, one interface, over threads and over processes.

``concurrent.futures`` wraps ``threading`` and ``multiprocessing`` behind a single ``Executor``
interface. The thread pool runs work in other threads of this process; the process pool runs it
in other processes. Code written against the interface runs unchanged on either, as long as
the work can be pickled (see ``worked_examples/test_ex04_lambda_in_a_pool.py`` for when it
cannot).
"""

import abc
import concurrent.futures
import os
import threading

import pytest

from pytest_concurrency import LatencyServer, assert_blocks, hang_bound, wait_until
from pytest_concurrency.spec_support.workloads import (
    current_pid,
    current_thread_name,
    fetch,
    square,
)

HANDED_TO_A_PROCESS = (
    "the note says scheduling hands the call to one of several threads; a process pool hands "
    "it to a worker process"
)
EXECUTOR_IS_NOT_AN_ABC = (
    "Executor is abstract by documentation only: it is a plain class (not an abc.ABC), "
    "Executor() can be created, and only calling its submit() fails, with NotImplementedError"
)


@pytest.mark.claim(
    "CF-1",
    verdict="holds",
    note="that it is preferred is advice; what can be checked is that one module drives both",
)
@pytest.mark.claim("CF-16", verdict="holds")
@pytest.mark.executor_kinds("thread")
@pytest.mark.contract
def test_a_thread_pool_runs_work_in_another_thread_of_this_process(thread_executor):
    """A ThreadPoolExecutor runs the callable in one of its own threads, inside this process."""
    pid = thread_executor.submit(current_pid).result(hang_bound())
    thread_name = thread_executor.submit(current_thread_name).result(hang_bound())

    assert pid == os.getpid()
    assert thread_name != threading.current_thread().name


@pytest.mark.claim(
    "CF-1",
    verdict="holds",
    note="that it is preferred is advice; what can be checked is that one module drives both",
)
@pytest.mark.claim("CF-16", verdict="erratum", note=HANDED_TO_A_PROCESS)
@pytest.mark.contract
def test_a_process_pool_runs_work_in_another_process(process_executor):
    """A ProcessPoolExecutor, from the same module, runs the callable in a worker process."""
    pid = process_executor.submit(current_pid).result(hang_bound("medium"))

    assert pid != os.getpid()


@pytest.mark.claim("CF-18", verdict="holds")
@pytest.mark.contract
def test_both_pools_are_executors():
    """ThreadPoolExecutor and ProcessPoolExecutor are the standard library's two subclasses of
    Executor."""
    pools = [concurrent.futures.ThreadPoolExecutor, concurrent.futures.ProcessPoolExecutor]

    assert [issubclass(pool, concurrent.futures.Executor) for pool in pools] == [True, True]


def concrete_executors():
    """The names of the Executor subclasses that concurrent.futures offers. (Read through its
    public names: the pools are imported lazily, so the module's namespace holds only those
    somebody already used.)"""
    offered = {name: getattr(concurrent.futures, name) for name in concurrent.futures.__all__}
    return sorted(
        name
        for name, value in offered.items()
        if isinstance(value, type)
        and issubclass(value, concurrent.futures.Executor)
        and value is not concurrent.futures.Executor
    )


@pytest.mark.claim("CF-18", verdict="holds")
@pytest.mark.python("<3.14")
@pytest.mark.contract
def test_before_3_14_the_two_pools_are_the_only_executors():
    """Up to Python 3.13, concurrent.futures offers exactly two executors."""
    assert concrete_executors() == ["ProcessPoolExecutor", "ThreadPoolExecutor"]


@pytest.mark.claim(
    "CF-18",
    verdict="holds",
    note="the two the note names are still there; from Python 3.14 there is a third, "
    "InterpreterPoolExecutor: a thread pool whose workers each run in their own interpreter, "
    "inside this process",
)
@pytest.mark.python(">=3.14")
@pytest.mark.contract
def test_from_3_14_an_interpreter_pool_is_a_third_executor():
    """From Python 3.14 concurrent.futures also offers InterpreterPoolExecutor, a subclass of
    ThreadPoolExecutor whose workers run in interpreters of their own, in this process."""
    import concurrent.interpreters  # new in 3.14

    with concurrent.futures.InterpreterPoolExecutor(max_workers=1) as pool:
        pid = pool.submit(os.getpid).result(hang_bound("medium"))
        interpreter = pool.submit(concurrent.interpreters.get_current).result(hang_bound())

    assert concrete_executors() == [
        "InterpreterPoolExecutor",
        "ProcessPoolExecutor",
        "ThreadPoolExecutor",
    ]
    assert issubclass(
        concurrent.futures.InterpreterPoolExecutor, concurrent.futures.ThreadPoolExecutor
    )
    assert pid == os.getpid()
    assert interpreter.id != concurrent.interpreters.get_current().id


@pytest.mark.claim("CF-2", verdict="erratum", note=EXECUTOR_IS_NOT_AN_ABC)
@pytest.mark.contract
def test_executor_is_abstract_by_convention_only():
    """Executor is not an abstract base class: it can be instantiated, and its submit() raises
    NotImplementedError when called."""
    base = concurrent.futures.Executor()

    assert not isinstance(concurrent.futures.Executor, abc.ABCMeta)
    with pytest.raises(NotImplementedError):
        base.submit(square, 3)


@pytest.mark.claim("CF-3", verdict="holds", note="for picklable work only")
@pytest.mark.contract
def test_the_same_code_runs_on_every_kind_of_executor(executor):
    """submit, map and result behave the same on a thread pool and on a process pool under
    every start method: changing the executor is the only change needed."""
    futures = [executor.submit(square, n) for n in range(5)]

    submitted = [future.result(hang_bound("medium")) for future in futures]
    mapped = list(executor.map(square, range(5), timeout=hang_bound("medium")))

    assert submitted == mapped == [0, 1, 4, 9, 16]


@pytest.mark.claim("CF-3", verdict="holds", note="for picklable work only")
@pytest.mark.contract
def test_map_yields_the_results_in_the_order_of_the_inputs(http_server, executor):
    """map() yields the results in the order of its inputs, on every kind of executor: the
    result of a held first call comes before that of a second call already answered."""
    with LatencyServer() as unheld:
        http_server.hold()
        urls = [http_server.url("/first"), unheld.url("/second")]
        results = executor.map(fetch, urls, timeout=hang_bound("medium"))
        wait_until(lambda: unheld.requests == ["/second"], timeout=hang_bound("medium"))

        with assert_blocks(next, results) as call:
            http_server.release()
        rest = list(results)

    assert [call.result(), *rest] == [b"body of /first\n", b"body of /second\n"]
