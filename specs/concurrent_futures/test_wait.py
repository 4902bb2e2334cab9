"""wait(): split futures into those done and those not, by a rule and a deadline.

``wait(fs, timeout=None, return_when=ALL_COMPLETED)`` blocks until the rule is met or the
timeout runs out, then returns a named pair of sets, ``(done, not_done)``. It never raises on
timeout: the caller reads what finished from the pair.
"""

import inspect
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, wait

import pytest

from pytest_concurrency import assert_blocks, hang_bound, returns_while_held
from pytest_concurrency.spec_support.workloads import fetch, raise_value_error, square


@pytest.mark.claim("CF-10", verdict="holds")
@pytest.mark.contract
def test_wait_splits_the_futures_into_done_and_not_done(http_server, executor):
    """With FIRST_COMPLETED, wait() returns as soon as one future has finished: the finished
    one in done, the held one in not_done. The pair is a named tuple."""
    http_server.hold()
    held = executor.submit(fetch, http_server.url("/held"))
    quick = executor.submit(square, 7)
    quick.result(hang_bound("medium"))  # the slow part: a process pool starting its workers

    # No timeout: wait() may only return by its rule, while the held request is still held.
    result = returns_while_held(wait, [held, quick], return_when=FIRST_COMPLETED, held=[held])
    http_server.release()

    assert (result.done, result.not_done) == ({quick}, {held})
    assert result == (result.done, result.not_done)


@pytest.mark.claim("CF-11", verdict="holds")
@pytest.mark.contract
def test_return_when_takes_three_constants_and_defaults_to_all_completed():
    """The three rules are module constants (their values are their own names), and wait()
    uses ALL_COMPLETED unless told otherwise."""
    default = inspect.signature(wait).parameters["return_when"].default

    assert [FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED] == [
        "FIRST_COMPLETED",
        "FIRST_EXCEPTION",
        "ALL_COMPLETED",
    ]
    assert default is ALL_COMPLETED


@pytest.mark.claim("CF-11", verdict="holds")
@pytest.mark.contract
def test_by_default_wait_blocks_until_every_future_has_finished(http_server, executor):
    """Without return_when, wait() does not return while one future is unfinished, even when
    the others are done."""
    http_server.hold()
    quick = executor.submit(square, 3)
    held = executor.submit(fetch, http_server.url("/held"))
    quick.result(hang_bound("medium"))

    with assert_blocks(wait, [quick, held]) as call:
        http_server.release()

    assert call.result() == ({quick, held}, set())


@pytest.mark.claim("CF-11", verdict="holds")
@pytest.mark.contract
def test_first_exception_returns_as_soon_as_a_future_raises(http_server, executor):
    """FIRST_EXCEPTION returns when a future finishes by raising, leaving the others in
    not_done."""
    http_server.hold()
    held = executor.submit(fetch, http_server.url("/held"))
    failing = executor.submit(raise_value_error, "boom")
    failing.exception(hang_bound("medium"))  # the slow part: a process pool starting its workers

    # No timeout: wait() may only return by its rule, while the held request is still held.
    done, not_done = returns_while_held(
        wait, [held, failing], return_when=FIRST_EXCEPTION, held=[held]
    )
    http_server.release()

    assert (done, not_done) == ({failing}, {held})


@pytest.mark.claim("CF-11", verdict="holds")
@pytest.mark.contract
def test_first_exception_without_an_exception_waits_for_all(http_server, executor):
    """When no future raises, FIRST_EXCEPTION behaves like ALL_COMPLETED: a future that
    finished normally does not end the wait."""
    http_server.hold()
    quick = executor.submit(square, 3)
    held = executor.submit(fetch, http_server.url("/held"))
    quick.result(hang_bound("medium"))

    with assert_blocks(lambda: wait([quick, held], return_when=FIRST_EXCEPTION)) as call:
        http_server.release()

    assert call.result() == ({quick, held}, set())


@pytest.mark.claim("CF-12", verdict="holds")
@pytest.mark.contract
def test_wait_with_a_timeout_returns_what_finished_without_raising(http_server, executor):
    """With a timeout, wait() hands back the futures done by then and leaves the rest in
    not_done; it does not raise."""
    http_server.hold()
    quick = executor.submit(pow, 2, 10)
    stuck = executor.submit(fetch, http_server.url("/stuck"))
    quick.result(hang_bound("medium"))  # finished before wait() is called: no race with it

    done, not_done = wait([quick, stuck], timeout=0.01)
    http_server.release()

    assert (done, not_done) == ({quick}, {stuck})
