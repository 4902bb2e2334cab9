"""Event-loop flavours: the loops an async test can run on.

A flavour is a name and a factory. pytest-asyncio asks for the factories through its
``pytest_asyncio_loop_factories`` hook and runs each async test once per flavour; the plugin
answers with the flavours chosen for that test (``--loop-flavours`` or the ``loop_flavours``
marker).

========  ===============================================================================
asyncio   the default event loop of the platform
debug     the default loop in debug mode (slow callbacks and never-awaited coroutines logged)
eager     the default loop with ``asyncio.eager_task_factory`` (Python 3.12+): a new task runs
          its first step inside ``create_task``
virtual   :class:`~pytest_concurrency.clock.VirtualTimeEventLoop`, on virtual time
uvloop    ``uvloop``'s loop, when the package is installed
========  ===============================================================================
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass

from .clock import VirtualTimeEventLoop

__all__ = ["FLAVOURS", "Flavour", "available_flavours", "flavour", "unavailable_reason"]

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class _DebugEventLoop(asyncio.SelectorEventLoop):
    """The default loop, in debug mode for good.

    pytest-asyncio's runner calls ``set_debug(False)`` on every loop it makes unless
    ``--asyncio-debug`` is given; this flavour exists to be in debug mode, so it keeps it.
    """

    def __init__(self) -> None:
        super().__init__()
        super().set_debug(True)

    def set_debug(self, enabled: bool) -> None:
        super().set_debug(True)


def _new_default_loop() -> asyncio.AbstractEventLoop:
    return asyncio.SelectorEventLoop() if sys.platform != "win32" else asyncio.new_event_loop()


def _new_eager_loop() -> asyncio.AbstractEventLoop:
    loop = _new_default_loop()
    loop.set_task_factory(asyncio.eager_task_factory)  # type: ignore[attr-defined]
    return loop


def _new_uvloop_loop() -> asyncio.AbstractEventLoop:
    import uvloop

    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def _eager_unavailable() -> str | None:
    if sys.version_info < (3, 12):
        return (
            "loop flavour 'eager' needs asyncio.eager_task_factory, new in Python 3.12 "
            f"(this is {sys.version_info.major}.{sys.version_info.minor})"
        )
    return None


def _uvloop_unavailable() -> str | None:
    if importlib.util.find_spec("uvloop") is None:
        return "loop flavour 'uvloop' needs the uvloop package (pip install uvloop)"
    return None


@dataclass(frozen=True)
class Flavour:
    """A named kind of event loop."""

    name: str
    factory: LoopFactory
    description: str
    why_unavailable: Callable[[], str | None] = lambda: None


FLAVOURS: dict[str, Flavour] = {
    f.name: f
    for f in (
        Flavour("asyncio", _new_default_loop, "the platform's default event loop"),
        Flavour("debug", _DebugEventLoop, "the default loop in debug mode"),
        Flavour("eager", _new_eager_loop, "eager task factory (3.12+)", _eager_unavailable),
        Flavour("virtual", VirtualTimeEventLoop, "virtual time: timers fire at once, exactly"),
        Flavour("uvloop", _new_uvloop_loop, "uvloop, when installed", _uvloop_unavailable),
    )
}


def flavour(name: str) -> Flavour:
    """The flavour called ``name``; a :class:`ValueError` names the accepted ones."""
    try:
        return FLAVOURS[name]
    except KeyError:
        raise ValueError(
            f"unknown loop flavour {name!r}; accepted: {', '.join(FLAVOURS)} (or all, for "
            "every flavour, in --loop-flavours)"
        ) from None


def unavailable_reason(name: str) -> str | None:
    """Why flavour ``name`` cannot run on this interpreter, or ``None`` if it can."""
    return flavour(name).why_unavailable()


def available_flavours() -> list[str]:
    """The flavours this interpreter can run."""
    return [name for name in FLAVOURS if unavailable_reason(name) is None]
