"""Shared fixtures of the plugin's own tests.

Most tests write a small test file with ``pytester`` and run pytest on it inline, with this
plugin loaded (through its entry point) exactly as a user's run would load it.
"""

from __future__ import annotations

import concurrent.futures.process
import importlib.machinery
import importlib.util
import multiprocessing.connection
import multiprocessing.forkserver
import multiprocessing.popen_fork
import multiprocessing.popen_forkserver
import multiprocessing.popen_spawn_posix
import multiprocessing.queues
import multiprocessing.resource_tracker
import multiprocessing.synchronize
import os
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import hypothesis
import pytest

from pytest_concurrency import hang_bound

# Inline runs (pytester.runpytest) forget the modules first imported during the run. Process
# pools pickle their internals by reference to these modules, so they must be imported once,
# here, for a pool of a later inline run to find the same objects; and hypothesis's pytest
# plugin imports hypothesis at the end of every run, which is slow to do again and again.
PRELOADED = (
    hypothesis,
    concurrent.futures.process,
    multiprocessing.connection,
    multiprocessing.forkserver,
    multiprocessing.popen_fork,
    multiprocessing.popen_forkserver,
    multiprocessing.popen_spawn_posix,
    multiprocessing.queues,
    multiprocessing.resource_tracker,
    multiprocessing.synchronize,
)

# The inner runs need the same asyncio settings as a project using the plugin, and this
# repository's leak check: a leak fails the test (a user's default only warns).
INNER_INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
asyncio_default_test_loop_scope = function
leak_check = fail
"""


@pytest.fixture
def pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """``pytester`` with an ini file that runs async tests the way the project does."""
    pytester.makeini(INNER_INI)
    return pytester


@pytest.fixture
def make_ini(pytester: pytest.Pytester) -> Callable[[str], None]:
    """``make_ini("leak_check = warn")``: the inner run's ini, with these settings added."""

    def make(settings: str) -> None:
        given = settings.strip().splitlines()
        keys = {line.split("=")[0].strip() for line in given}
        kept = [line for line in INNER_INI.splitlines() if line.split("=")[0].strip() not in keys]
        pytester.makeini("\n".join([*kept, *given]) + "\n")

    return make


class Gate:
    """An event the outer test holds and the inner run receives as its ``gate`` fixture.

    Inner tests block threads on it to leave something running; the outer test opens the
    gate afterwards, so that nothing outlives the outer test either.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self._threads_before = set(threading.enumerate())

    @pytest.fixture
    def gate(self) -> threading.Event:
        return self.event

    def open_and_join(self, thread_name: str) -> None:
        """Open the gate and join the threads named ``thread_name...`` started since."""
        self.event.set()
        for thread in set(threading.enumerate()) - self._threads_before:
            if thread.name.startswith(thread_name):
                thread.join(hang_bound("short"))
                assert not thread.is_alive(), f"{thread.name} did not end when the gate opened"


@pytest.fixture
def gate() -> Iterator[Gate]:
    """A :class:`Gate`, opened at teardown whatever the test did."""
    opened = Gate()
    yield opened
    opened.event.set()


#: The development tool that pictures a page in headless Chromium; not part of the package.
SCREENSHOT_TOOL = Path(__file__).parents[1] / "tools" / "screenshot"


def _load_screenshot_tool() -> types.ModuleType:
    """``tools/screenshot`` as a module (a script without ``.py``, so loaded by path)."""
    loader = importlib.machinery.SourceFileLoader("screenshot_tool", str(SCREENSHOT_TOOL))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    if spec is None:
        raise ImportError(f"cannot load {SCREENSHOT_TOOL}")
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def screenshot_tool() -> types.ModuleType:
    """The screenshot tool, loaded once, whether or not a browser is installed."""
    return _load_screenshot_tool()


@pytest.fixture
def browser(screenshot_tool: types.ModuleType) -> types.ModuleType:
    """The screenshot tool, once a browser is known to be there; else skip, or fail where
    ``PYTEST_CONCURRENCY_REQUIRE_BROWSER=1`` (CI installs Chromium, so a skip would hide a
    broken check)."""
    if screenshot_tool.find_browser() is None:
        reason = f"no Chromium-family browser on PATH ({', '.join(screenshot_tool.BROWSERS)})"
        if os.environ.get("PYTEST_CONCURRENCY_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and PYTEST_CONCURRENCY_REQUIRE_BROWSER=1 requires one")
        pytest.skip(f"{reason}; apt-get install chromium to run it")
    return screenshot_tool
