"""The ``thread_virtual_time`` marker: a test's call phase runs in a bubble.

Why a marker: thread virtual time changes what ``time.sleep`` and every lock mean for the
test's code, so it is a property of the test, visible where the test is written, like
``loop_flavours``; a fixture would hide it among the arguments, and a run-wide option would turn
it on for tests that never asked. The ``thread_virtual_time`` option (``--thread-virtual-time``
and its ini twin) exists for suites one cannot mark (a library's own tests): it puts every test
of the run in a bubble, as if marked.

Only the call phase is in the bubble: fixtures' setup and teardown, the hang guard and the leak
check run on the real clock with the original primitives. The test gets fresh executor pools
(the ``fresh_pools`` marker), so that no worker of an earlier test runs its work. An async test
runs in the bubble only on the ``virtual`` loop flavour (the loop joins the bubble); on any
other flavour it is skipped, saying so, since a loop on the real clock cannot share the
bubble's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator

import pytest

from ..pytest_internals import loop_factory_of, running_loop_of

MARKER = "thread_virtual_time"


def wanted(item: pytest.Item) -> bool:
    """Whether ``item`` runs in a bubble: marked, or ``--thread-virtual-time=on``."""
    if item.get_closest_marker(MARKER) is not None:
        return True
    return _option(item.config) == "on"


def _option(config: pytest.Config) -> str:
    given = config.getoption("thread_virtual_time", None)
    if given is None:
        try:
            given = config.getini("thread_virtual_time")
        except ValueError:
            given = "off"
    value = str(given).strip() or "off"
    if value not in ("on", "off"):
        raise pytest.UsageError(f"unknown --thread-virtual-time {value!r}; accepted: on, off")
    return value


def _flavour_of(item: pytest.Item) -> str | None:
    """The loop flavour an async test runs on (``None`` for a sync test)."""
    from ..loops import name_of_factory

    factory = loop_factory_of(item)
    if factory is None:
        return None
    return name_of_factory(factory) or "a loop of another plugin"


def _test_loop(item: pytest.Item) -> asyncio.AbstractEventLoop | None:
    return running_loop_of(item)


class ThreadTimePlugin:
    """Registered by the plugin; runs marked tests' calls in a bubble."""

    def __init__(self, config: pytest.Config) -> None:
        _option(config)  # a bad value is a usage error at once

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            if not wanted(item):
                continue
            item.add_marker(pytest.mark.fresh_pools(reason="thread virtual time"))
            flavour = _flavour_of(item)
            if flavour is not None and flavour != "virtual":
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"thread_virtual_time joins only the 'virtual' loop flavour "
                        f"(this run is on {flavour!r}, whose clock is real); run it with "
                        "loop_flavours('virtual') or --loop-flavours=virtual"
                    )
                )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        if not wanted(item):
            return (yield)
        from ..clock import VirtualTimeEventLoop
        from . import thread_virtual_time

        loop = _test_loop(item)
        if loop is not None and not isinstance(loop, VirtualTimeEventLoop):
            pytest.skip(
                f"thread_virtual_time joins only the 'virtual' loop flavour, not "
                f"{type(loop).__name__}"
            )
        with thread_virtual_time(loop):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        result = yield
        if wanted(item):
            from . import patches

            left = [name for name, original in patches.originals_in_place().items() if not original]
            if left and not patches.installed():
                # A monkeypatch made during the call saved a replacement and put it back at
                # teardown: put the originals back, so that later tests run on them.
                patches.uninstall()
                item.warn(
                    pytest.PytestWarning(
                        f"{', '.join(left)} held thread virtual time's replacements after the "
                        "test (a monkeypatch of them made during a thread_virtual_time test "
                        "puts them back at teardown); the originals are back"
                    )
                )
        return result
