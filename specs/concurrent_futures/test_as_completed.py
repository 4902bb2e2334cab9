"""as_completed(): the futures, one at a time, in the order they finish.

``as_completed(fs, timeout=None)`` first yields the futures that had already finished when it
was called, then each of the others as it finishes, blocking the calling thread in between.
The timeout counts from the call to ``as_completed``; when it runs out with futures unfinished,
the iterator raises ``concurrent.futures.TimeoutError``: from Python 3.11 that name is the
builtin ``TimeoutError``, on 3.10 a class of its own that ``except TimeoutError`` does not
catch.
"""

import concurrent.futures
import contextlib
from concurrent.futures import as_completed

import pytest

from pytest_concurrency import LatencyServer, assert_blocks, hang_bound
from pytest_concurrency.spec_support.workloads import fetch, square

OWN_TIMEOUT_CLASS = (
    "on Python 3.10 the timeout raises concurrent.futures.TimeoutError, a class of its own "
    "that is not the builtin TimeoutError (they are one class from 3.11)"
)


@pytest.mark.claim("CF-13", verdict="holds")
@pytest.mark.contract
def test_as_completed_yields_a_quick_future_before_a_held_one(http_server, executor):
    """A future submitted second but finishing first comes out first, on every kind of
    executor."""
    executor.submit(square, 0).result(hang_bound("medium"))  # the slow part: workers starting
    http_server.hold()
    held = executor.submit(fetch, http_server.url("/held"))
    quick = executor.submit(square, 5)

    # With the workers up, quick finishes at once: the short bound, shorter than the hold.
    finished = as_completed([held, quick], timeout=hang_bound())
    order = [next(finished)]
    http_server.release()
    order.append(next(finished))

    assert order == [quick, held]


@pytest.mark.claim("CF-13", verdict="holds")
@pytest.mark.contract
def test_as_completed_follows_the_finishing_order_not_the_submission_order(executor):
    """Three calls are let go in the order b, c, a; as_completed yields their futures in
    exactly that order."""
    executor.submit(square, 0).result(hang_bound("medium"))  # the slow part: workers starting
    with contextlib.ExitStack() as stack:
        # One held server per call, so that each can be let go on its own, in any kind of pool.
        servers = {name: stack.enter_context(LatencyServer()) for name in "abc"}
        for server in servers.values():
            server.hold()
        futures = {
            name: executor.submit(fetch, server.url(f"/{name}")) for name, server in servers.items()
        }
        names = {future: name for name, future in futures.items()}

        # Each released call finishes at once: the short bound, shorter than the servers' hold.
        finished = as_completed(futures.values(), timeout=hang_bound())
        order = []
        for name in "bca":
            servers[name].release()
            order.append(names[next(finished)])

    assert order == ["b", "c", "a"]


@pytest.mark.claim("CF-14", verdict="holds")
@pytest.mark.contract
def test_futures_finished_before_the_call_come_out_first(http_server, executor):
    """A future that had finished before as_completed was called is yielded first, even when
    it is listed after an unfinished one."""
    http_server.hold()
    held = executor.submit(fetch, http_server.url("/held"))
    already_done = executor.submit(square, 6)
    already_done.result(hang_bound("medium"))  # the slow part: a process pool starting

    # Everything from here happens at once: the short bound, shorter than the server's hold.
    finished = as_completed([held, already_done], timeout=hang_bound())
    first = next(finished)
    http_server.release()
    second = next(finished)

    assert [first, second] == [already_done, held]


@pytest.mark.claim(
    "CF-15",
    verdict="holds",
    note="the note speaks of the main thread; whichever thread iterates is the one blocked "
    "(here a helper thread)",
)
@pytest.mark.contract
def test_iterating_as_completed_blocks_until_the_next_future_finishes(http_server, executor):
    """next() on the iterator does not return while no further future has finished; it returns
    that future as soon as one does."""
    http_server.hold()
    held = executor.submit(fetch, http_server.url("/held"))
    finished = as_completed([held], timeout=hang_bound("medium"))

    with assert_blocks(next, finished) as call:
        http_server.release()

    assert call.result() is held


@pytest.mark.claim("CF-13", verdict="holds")
@pytest.mark.python(">=3.11")
@pytest.mark.contract
def test_from_3_11_as_completed_times_out_with_the_builtin_timeout_error(http_server, executor):
    """When the timeout runs out, the finished futures have been yielded and the iterator
    raises the builtin TimeoutError, which concurrent.futures.TimeoutError now names."""
    http_server.hold()
    done = executor.submit(square, 2)
    held = executor.submit(fetch, http_server.url("/held"))
    done.result(hang_bound("medium"))
    finished = as_completed([done, held], timeout=0.02)

    first = next(finished)
    with pytest.raises(TimeoutError) as raised:
        next(finished)
    http_server.release()

    assert first is done
    assert raised.type is TimeoutError
    assert concurrent.futures.TimeoutError is TimeoutError
    assert str(raised.value) == "1 (of 2) futures unfinished"


@pytest.mark.claim("CF-13", verdict="holds", note=OWN_TIMEOUT_CLASS)
@pytest.mark.python("<3.11")
@pytest.mark.contract
def test_on_3_10_as_completed_times_out_with_its_own_timeout_error(http_server, executor):
    """On Python 3.10 the iterator raises concurrent.futures.TimeoutError, which is not the
    builtin TimeoutError, nor a subclass of it."""
    http_server.hold()
    done = executor.submit(square, 2)
    held = executor.submit(fetch, http_server.url("/held"))
    done.result(hang_bound("medium"))
    finished = as_completed([done, held], timeout=0.02)

    first = next(finished)
    with pytest.raises(concurrent.futures.TimeoutError) as raised:
        next(finished)
    http_server.release()

    assert first is done
    assert raised.type is concurrent.futures.TimeoutError
    assert not issubclass(concurrent.futures.TimeoutError, TimeoutError)
    assert str(raised.value) == "1 (of 2) futures unfinished"
