"""Worked example 4: a lambda in a process pool.

A process pool sends each call to a worker process by pickling it, and pickle stores a
function by reference: module and qualified name, looked up again on the other side. A lambda
bound to a module name has the qualified name ``<lambda>``, which cannot be looked up, so it
cannot be sent, under every start method (fork too: the call still travels through a pipe).

``submit`` does not fail: the call is pickled later, by a background thread of the pool, and
the error is stored in the future, where ``result()`` raises it. The lambda never reaches a
worker, so the note's explanation (that pickling the *return value* on its way back fails) is
wrong. A thread pool needs no pickling and runs the lambda; a function that can be imported by
name runs in a process pool.
"""

import pickle
from concurrent.futures import wait

import pytest

from pytest_concurrency import hang_bound
from pytest_concurrency.spec_support.workloads import fetch, square

# A lambda bound to a module name, as in the note: exactly what a process pool cannot send.
answer = lambda: 42  # noqa: E731
visit = lambda url: fetch(url)  # noqa: E731

THE_CALL_FAILS_ON_THE_WAY_IN = (
    "the note says the error comes from pickling the return value on its way back; it comes "
    "from pickling the lambda on its way to the worker, which never runs it"
)
LOCAL_LAMBDA_BEFORE_3_14 = (
    "result() raises, as the note says; for a lambda made inside a function (the note's is at "
    "module level) the error is AttributeError ('Can't pickle local object', 3.13: 'Can't get "
    "local object'), not a pickling error, before Python 3.14"
)


@pytest.mark.claim("EX-4", verdict="holds")
def test_a_lambda_is_accepted_by_submit_and_fails_when_the_result_is_read(process_executor):
    """submit() takes the lambda without complaint and wait() reports the future done; the
    pickling error comes out of result()."""
    future = process_executor.submit(answer)
    done, not_done = wait([future], timeout=hang_bound("medium"))

    with pytest.raises(pickle.PicklingError, match="<lambda>") as raised:
        future.result(hang_bound("medium"))

    assert (done, not_done) == ({future}, set())
    assert raised.type is pickle.PicklingError


@pytest.mark.claim("EX-15", verdict="erratum", note=THE_CALL_FAILS_ON_THE_WAY_IN)
def test_the_lambda_never_reaches_a_worker_and_the_pool_stays_usable(http_server, process_executor):
    """A lambda that would fetch a URL fails without the server seeing any request: it failed
    on its way to the worker. The pool is not broken: the next call runs."""
    failed = process_executor.submit(visit, http_server.url("/from-the-lambda"))

    with pytest.raises(pickle.PicklingError):
        failed.result(hang_bound("medium"))
    requests_after_the_lambda = list(http_server.requests)
    next_call = process_executor.submit(fetch, http_server.url("/from-a-function"))
    body = next_call.result(hang_bound("medium"))

    assert requests_after_the_lambda == []
    assert body == b"body of /from-a-function\n"


@pytest.mark.claim("EX-4", verdict="holds", note=LOCAL_LAMBDA_BEFORE_3_14)
@pytest.mark.python("<3.14")
def test_before_3_14_a_local_lambda_fails_with_attribute_error(process_executor):
    """A lambda created inside a function has '<locals>' in its qualified name; before Python
    3.14 pickle refuses it with AttributeError."""
    local = lambda: 42  # noqa: E731

    with pytest.raises(AttributeError, match="local object") as raised:
        process_executor.submit(local).result(hang_bound("medium"))

    assert raised.type is AttributeError


@pytest.mark.claim("EX-4", verdict="holds")
@pytest.mark.python(">=3.14")
def test_from_3_14_a_local_lambda_fails_with_a_pickling_error(process_executor):
    """From Python 3.14, pickle reports a local object as a PicklingError too."""
    local = lambda: 42  # noqa: E731

    with pytest.raises(pickle.PicklingError) as raised:
        process_executor.submit(local).result(hang_bound("medium"))

    assert raised.type is pickle.PicklingError


@pytest.mark.claim("EX-4", verdict="holds")
def test_a_thread_pool_runs_the_lambda(thread_executor):
    """Threads share the interpreter, so a thread pool calls the lambda directly."""
    local = lambda: "local"  # noqa: E731

    results = [
        thread_executor.submit(answer).result(hang_bound()),
        thread_executor.submit(local).result(hang_bound()),
    ]

    assert results == [42, "local"]


@pytest.mark.claim("EX-4", verdict="holds")
def test_a_function_importable_by_name_runs_in_a_process_pool(process_executor):
    """A def at module level (here, in an importable module) pickles as a reference and runs
    in the worker."""
    future = process_executor.submit(square, 7)
    done, not_done = wait([future], timeout=hang_bound("medium"))

    assert future.result(hang_bound("medium")) == 49
    assert (done, not_done) == ({future}, set())
