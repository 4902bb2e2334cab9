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
rloop     ``rloop``'s loop (a Rust event loop), when the package is installed
========  ===============================================================================

Plugins and ``conftest.py`` files add flavours with the ``pytest_concurrency_loop_flavours``
hook (:func:`register_flavours`).
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .clock import VirtualTimeEventLoop
from .registry import Registry, missing_package

__all__ = [
    "CPYTHON_FLAVOURS",
    "EXPLICIT_FLAVOURS",
    "FLAVOURS",
    "Flavour",
    "LoopFactory",
    "UnavailableFlavour",
    "available_flavours",
    "flavour",
    "name_of_factory",
    "register_flavours",
    "unavailable_reason",
    "unregister_flavours",
]

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


def _new_rloop_loop() -> asyncio.AbstractEventLoop:
    import rloop  # type: ignore[import-not-found,unused-ignore]

    loop: asyncio.AbstractEventLoop = rloop.new_event_loop()
    _release_dropped_self_pipes(loop)
    return loop


def _release_dropped_self_pipes(loop: Any) -> None:
    """Release the self-pipe socket objects rloop drops at the end of each run.

    rloop (0.5) makes a socket pair when ``run_forever`` starts; when the run ends it closes
    the two descriptors natively but leaves the Python socket objects owning them. Each is
    then a ``ResourceWarning`` when collected (an error in suites with ``filterwarnings =
    error``: every async-lru test failed under rloop), and its ``close()`` on collection would
    close a descriptor number that may have been reused. Detaching gives the numbers up.
    """
    stop = getattr(loop, "_ssock_stop", None)
    if stop is None:  # a later rloop without this method
        return

    def stop_and_release() -> None:
        dropped = [getattr(loop, "_ssock_r", None), getattr(loop, "_ssock_w", None)]
        stop()
        for sock in dropped:
            if isinstance(sock, socket.socket):
                sock.detach()

    loop._ssock_stop = stop_and_release


def _eager_unavailable() -> str | None:
    if sys.version_info < (3, 12):
        return (
            "loop flavour 'eager' needs asyncio.eager_task_factory, new in Python 3.12 "
            f"(this is {sys.version_info.major}.{sys.version_info.minor})"
        )
    return None


@dataclass(frozen=True)
class Flavour:
    """A named kind of event loop. ``why_unavailable()`` says why it cannot run here;
    ``default`` is whether ``--loop-flavours=all`` gives it (every flavour but the explicit
    ones does)."""

    name: str
    factory: LoopFactory
    description: str
    why_unavailable: Callable[[], str | None] = lambda: None
    default: bool = True


def _uvloop_unavailable() -> str | None:
    return missing_package("uvloop", "loop flavour 'uvloop'", "uvloop")


def _rloop_unavailable() -> str | None:
    return missing_package("rloop", "loop flavour 'rloop'", "conformance")


def _new_ready_choice_loop() -> asyncio.AbstractEventLoop:
    from .exploration.loop import ReadyChoiceEventLoop

    return ReadyChoiceEventLoop()


#: Flavours a test gets only by naming them, never through ``--loop-flavours=all``: the loop
#: that explores orders of ready callbacks (``pytest_concurrency.exploration.loop``).
EXPLICIT_FLAVOURS: dict[str, Flavour] = {
    "ready-callback": Flavour(
        "ready-callback",
        _new_ready_choice_loop,
        "the default loop running one chosen ready callback at a time (explore marker)",
        default=False,
    )
}

#: Every flavour ``--loop-flavours`` and ``all`` know: the built-in ones, then those plugins
#: register (a :class:`~pytest_concurrency.registry.Registry`, a ``dict`` by name).
FLAVOURS: Registry[Flavour] = Registry(
    "loop flavour",
    [
        Flavour("asyncio", _new_default_loop, "the platform's default event loop"),
        Flavour("debug", _DebugEventLoop, "the default loop in debug mode"),
        Flavour("eager", _new_eager_loop, "eager task factory (3.12+)", _eager_unavailable),
        Flavour("virtual", VirtualTimeEventLoop, "virtual time: timers fire at once, exactly"),
        Flavour("uvloop", _new_uvloop_loop, "uvloop, when installed", _uvloop_unavailable),
        Flavour("rloop", _new_rloop_loop, "rloop, when installed", _rloop_unavailable),
    ],
    reserved=("all", *EXPLICIT_FLAVOURS),
    accepted_note=" (or all, for every flavour, in --loop-flavours)",
)
#: The flavours built on CPython's own event loop (the reference implementation).
CPYTHON_FLAVOURS = ("asyncio", "debug", "eager", "virtual")


def flavour(name: str) -> Flavour:
    """The flavour called ``name``; a :class:`ValueError` names the accepted ones."""
    if name in EXPLICIT_FLAVOURS:
        return EXPLICIT_FLAVOURS[name]
    return FLAVOURS.entry(name)


def unavailable_reason(name: str) -> str | None:
    """Why flavour ``name`` cannot run on this interpreter, or ``None`` if it can."""
    return flavour(name).why_unavailable()


def available_flavours() -> list[str]:
    """The flavours this interpreter can run."""
    return FLAVOURS.names(available=True)


def register_flavours(factories: Mapping[str, LoopFactory], source: str) -> list[str]:
    """Add flavours (``{name: loop_factory}``) from ``source`` (a plugin's name); a
    :class:`ValueError` says what is wrong with a name or a factory. Returns the names."""

    def make(name: str, factory: object) -> Flavour:
        if not callable(factory):
            raise ValueError(
                f"{source}: loop flavour {name!r} needs a callable returning a new event "
                f"loop, got {factory!r}"
            )
        return Flavour(name, factory, f"registered by {source}")

    return FLAVOURS.register(factories, source, make)


def unregister_flavours(names: Iterable[str]) -> None:
    """Forget registered flavours (at the end of the run that registered them)."""
    FLAVOURS.unregister(names)


class UnavailableFlavour:
    """What stands for the factory of a flavour that cannot run here: tests of it are skipped
    with :attr:`reason` before their setup, so it is never called."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def __call__(self) -> asyncio.AbstractEventLoop:
        import pytest

        pytest.skip(self.reason)

    def __repr__(self) -> str:
        return f"<loop flavour {self.name!r}, unavailable: {self.reason}>"


def name_of_factory(factory: object) -> str | None:
    """The flavour whose factory ``factory`` is (or stands for), or ``None``."""
    if isinstance(factory, UnavailableFlavour):
        return factory.name
    every = [*FLAVOURS.values(), *EXPLICIT_FLAVOURS.values()]
    return next((f.name for f in every if f.factory is factory), None)
