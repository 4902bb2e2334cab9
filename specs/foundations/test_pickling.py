"""What a process pool pickles: the callable, its arguments and its return value.

A process pool sends each call to a worker through a multiprocessing queue, which pickles it
(the callable by reference, the arguments by value), and the worker sends the result back the
same way. This happens under every start method, fork included: forking copies the process
once, when the worker starts, not each call sent to it later. So:

* ``submit`` itself does not pickle anything: the queue's feeder thread does, shortly after, and
  a pickling error comes back through the future, raised by ``result()``;
* the note blames its lambda example on the return value read back from the queue; it is the
  callable that fails, on its way to the worker;
* a thread pool pickles nothing: a lambda works, and the result is the very object returned.
"""

import os
import pickle
import threading

import pytest

from pytest_concurrency import hang_bound
from pytest_concurrency.spec_support.workloads import identity, make_lock

CALLABLE_NOT_RESULT = (
    "the lambda fails on its way to the worker (the callable is pickled by name), not when the "
    "return value is read back (EX-15); the error is raised by future.result(), never by "
    "submit()"
)
ARGUMENTS_TOO = (
    "the note names the callable and the return value; the arguments travel pickled through "
    "the same queue, so they must be picklable too"
)


# Like the note's example, a lambda at module level: pickle finds functions by name, and the
# name this one was created with, "<lambda>", is not an attribute of the module.
send_one = lambda: 1  # noqa: E731


class RecordsItsPickling:
    """An argument that notes which process pickled it, and unpickles as the number 7."""

    def __init__(self):
        self.pickled_in = []

    def __reduce__(self):
        self.pickled_in.append(os.getpid())
        return (int, (7,))


@pytest.mark.claim("BAS-6", verdict="holds", note=CALLABLE_NOT_RESULT)
def test_a_lambda_cannot_be_sent_to_a_process_pool(process_executor):
    """submit() accepts the lambda and returns a future; result() raises the PicklingError
    raised when the call was pickled for the worker."""
    future = process_executor.submit(send_one)

    with pytest.raises(pickle.PicklingError, match="<lambda>"):
        future.result(hang_bound("medium"))


@pytest.mark.claim("BAS-6", verdict="holds")
def test_a_thread_pool_runs_a_lambda_since_nothing_is_pickled(thread_executor):
    """Threads share the interpreter: the lambda is called as it is."""
    future = thread_executor.submit(send_one)

    assert future.result(hang_bound()) == 1


@pytest.mark.claim("BAS-7", verdict="holds", note=ARGUMENTS_TOO)
def test_an_argument_that_cannot_be_pickled_fails_through_the_future(process_executor):
    """A lock cannot be pickled; sending it as an argument raises TypeError from result()."""
    future = process_executor.submit(identity, threading.Lock())

    with pytest.raises(TypeError, match=r"cannot pickle '_thread\.lock' object"):
        future.result(hang_bound("medium"))


@pytest.mark.claim("BAS-6", verdict="holds")
def test_a_return_value_that_cannot_be_pickled_fails_through_the_future(process_executor):
    """The call runs in the worker, but its result, a lock, cannot travel back: result()
    raises the worker's TypeError."""
    future = process_executor.submit(make_lock)

    with pytest.raises(TypeError, match=r"cannot pickle '_thread\.lock' object"):
        future.result(hang_bound("medium"))


@pytest.mark.claim("BAS-7", verdict="holds")
def test_arguments_are_pickled_in_this_process_under_every_start_method(process_executor):
    """The argument's ``__reduce__`` runs here, in the parent, and the worker receives what
    the pickle rebuilds (the number 7), even when the worker was forked."""
    argument = RecordsItsPickling()

    result = process_executor.submit(identity, argument).result(hang_bound("medium"))

    assert result == 7
    assert argument.pickled_in == [os.getpid()]


@pytest.mark.claim("BAS-7", verdict="holds")
def test_a_process_pool_returns_a_copy_and_a_thread_pool_the_object_itself(
    process_executor, thread_executor
):
    """Through a process pool the result is an equal copy, rebuilt from a pickle; through a
    thread pool it is the same object."""
    payload = {"numbers": [1, 2, 3]}

    through_a_process = process_executor.submit(identity, payload).result(hang_bound("medium"))
    through_a_thread = thread_executor.submit(identity, payload).result(hang_bound())

    assert through_a_process == payload
    assert through_a_process is not payload
    assert through_a_thread is payload
