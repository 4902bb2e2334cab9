"""Tell "returned because of the behaviour" from "returned because a bound ran out", and wait
without going through the thing under test.

A call such as ``wait(fs, timeout=T, return_when=FIRST_EXCEPTION)`` returns the same pair
whether the rule ended the wait or the timeout did; so a spec that asserts the pair cannot tell
a working ``return_when`` from one that is ignored. :func:`returns_while_held` makes the call
without a bound of its own, in a helper thread, and returns what it returned only if it
returned by itself while the held work was still held::

    http_server.hold()
    held = executor.submit(fetch, http_server.url("/held"))
    failing = executor.submit(raise_value_error, "boom")

    done, not_done = returns_while_held(
        wait, [held, failing], return_when=FIRST_EXCEPTION, held=[held]
    )
    http_server.release()

:func:`condition_holds` waits, from a coroutine, for a condition to turn true by polling in a
thread of its own, never in the event loop's default executor, which may be the very thing under
test and busy with the spec's held work.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .timeouts import hang_bound

__all__ = ["NotReturnedWhileHeld", "condition_holds", "returns_while_held"]

T = TypeVar("T")


class NotReturnedWhileHeld(AssertionError):
    """The call did not return by itself while the held work was held: it waited for that
    work (or for a bound), not for the behaviour the spec asserts."""


def _still_held(thing: Any) -> bool:
    """Whether ``thing`` (a future, a task or a :class:`~pytest_concurrency.Gate`) is still
    unfinished or closed."""
    if hasattr(thing, "done"):
        return not thing.done()
    if hasattr(thing, "is_open"):
        return not thing.is_open
    raise TypeError(f"held: expected futures, tasks or gates, got {thing!r}")


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


def returns_while_held(
    fn: Callable[..., T],
    *args: Any,
    held: Iterable[Any],
    within: float | None = None,
    **kwargs: Any,
) -> T:
    """Call ``fn(*args, **kwargs)`` and return what it returns, asserting that it returned by
    itself, within ``within`` seconds (default: the ``short`` hang bound), while every one of
    ``held`` (futures, tasks or gates) was still unfinished.

    Give ``fn`` no timeout of its own: then the only ways out are the behaviour under test and
    the held work finishing, and the second is what this rules out. The call runs in a daemon
    helper thread; if it has not returned in time,
    :class:`~pytest_concurrency.held.NotReturnedWhileHeld` is raised at once, and the thread
    ends when the spec (or its teardown) releases the held work.
    """
    __tracebackhide__ = True
    held = list(held)
    limit = hang_bound("short") if within is None else within
    outcome: dict[str, Any] = {}
    returned = threading.Event()

    def call() -> None:
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as error:
            outcome["error"] = error
        finally:
            # Read at the very moment the call returned, before anyone could release anything.
            outcome["still_held"] = [_still_held(thing) for thing in held]
            returned.set()

    threading.Thread(target=call, name=f"returns_while_held: {_name(fn)}", daemon=True).start()
    if not returned.wait(limit):
        raise NotReturnedWhileHeld(
            f"{_name(fn)} did not return within {limit:.1f} s while {held!r} was held: it "
            "waits for the held work, not for the behaviour asserted"
        )
    if "error" in outcome:
        raise outcome["error"]
    released = [
        thing for thing, still in zip(held, outcome["still_held"], strict=True) if not still
    ]
    if released:
        raise NotReturnedWhileHeld(
            f"{_name(fn)} returned only once {released!r} had finished: it waited for the "
            "held work (or a bound ran out), not for the behaviour asserted"
        )
    return outcome["value"]  # type: ignore[no-any-return]


async def condition_holds(
    condition: Callable[[], object], *, timeout: float | None = None, what: str = ""
) -> None:
    """Wait, from a coroutine, until ``condition()`` is true; raise
    :class:`~pytest_concurrency.HangError` after ``timeout`` (default: the ``short`` hang bound).

    The loop stays free meanwhile, and the polling runs in a thread of its own: not in the
    loop's default executor (``asyncio.to_thread``), which may be the very thing under test,
    busy with the held work the spec waits for. So a spec waiting for "three downloads in
    flight" fails within the bound when the executor runs one at a time, instead of queueing
    behind its own held download::

        downloads = [loop.run_in_executor(None, fetch, url) for url in urls]
        await condition_holds(lambda: http_server.in_flight == 3)
    """
    __tracebackhide__ = True
    import asyncio

    from .sync import wait_until

    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if outcome.done():
            return
        if error is None:
            outcome.set_result(None)
        else:
            outcome.set_exception(error)

    def poll() -> None:
        error: BaseException | None = None
        try:
            wait_until(condition, timeout=timeout, what=what)
        except BaseException as raised:
            error = raised
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(settle, error)

    threading.Thread(target=poll, name="condition_holds", daemon=True).start()
    await outcome
