"""Event-loop flavours: which loop an async test gets, chosen by option or marker."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import warnings

import pytest

from pytest_concurrency import FLAVOURS, available_flavours, loops
from pytest_concurrency.loops import flavour, unavailable_reason

LOOP_TYPE = """
    import asyncio
    import pytest

    seen = []

    {mark}
    async def test_x():
        loop = asyncio.get_running_loop()
        kind = type(loop)
        seen.append(f"{{kind.__module__}}.{{kind.__name__}} debug={{loop.get_debug()}}")

    def test_zz_report():
        print("seen:", ", ".join(seen))
"""


def run_loop_types(pytester: pytest.Pytester, mark: str = "", *args: str) -> pytest.RunResult:
    pytester.makepyfile(LOOP_TYPE.format(mark=mark))
    return pytester.runpytest("-s", "-v", *args)


def passed_ids(reprec: pytest.HookRecorder) -> list[str]:
    passed, _, _ = reprec.listoutcomes()
    return [report.nodeid.split("::", 1)[1] for report in passed]


# --- the flavour table ----------------------------------------------------------------------


def test_the_flavours_are_the_six_documented() -> None:
    """Six flavours exist, in a fixed order."""
    assert list(FLAVOURS) == ["asyncio", "debug", "eager", "virtual", "uvloop", "rloop"]


def test_an_unknown_flavour_is_rejected_with_the_accepted_names() -> None:
    """flavour() names every accepted flavour when asked for one that does not exist."""
    with pytest.raises(
        ValueError, match="'trio'; accepted: asyncio, debug, eager, virtual, uvloop, rloop"
    ):
        flavour("trio")


@pytest.mark.python("<3.12")
def test_eager_is_unavailable_before_python_3_12() -> None:
    """eager_task_factory is new in 3.12; before it the flavour says why it cannot run."""
    reason = unavailable_reason("eager")
    assert reason is not None
    assert reason.startswith("loop flavour 'eager' needs asyncio.eager_task_factory, new in")
    assert "eager" not in available_flavours()


@pytest.mark.python(">=3.12")
def test_eager_is_available_from_python_3_12() -> None:
    """From 3.12 on, eager is one of the flavours this interpreter can run."""
    assert unavailable_reason("eager") is None
    assert "eager" in available_flavours()


# --- choosing flavours ----------------------------------------------------------------------


@pytest.mark.platform("linux")
def test_the_default_flavour_is_the_plain_asyncio_loop_without_an_id(
    pytester: pytest.Pytester,
) -> None:
    """Without option or marker an async test runs once, on the platform's selector loop."""
    result = run_loop_types(pytester)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["*::test_x PASSED*", "*seen: asyncio.unix_events._UnixSelectorEventLoop debug=False"]
    )


@pytest.mark.platform("linux")
def test_the_option_runs_each_async_test_once_per_flavour(pytester: pytest.Pytester) -> None:
    """--loop-flavours=asyncio,virtual runs an async test twice, the flavour in its ID."""
    result = run_loop_types(pytester, "", "--loop-flavours=asyncio,virtual")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*::test_x?asyncio? PASSED*",
            "*::test_x?virtual? PASSED*",
            "*seen: asyncio.unix_events._UnixSelectorEventLoop debug=False, "
            "pytest_concurrency.clock.VirtualTimeEventLoop debug=False",
        ]
    )


def test_the_marker_chooses_the_flavours_of_one_test(pytester: pytest.Pytester) -> None:
    """loop_flavours on a test overrides the option for that test only."""
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        @pytest.mark.loop_flavours("virtual", "debug")
        async def test_marked():
            pass

        async def test_unmarked():
            pass
        """
    )
    reprec = pytester.inline_run("--loop-flavours=asyncio")
    assert passed_ids(reprec) == ["test_marked[virtual]", "test_marked[debug]", "test_unmarked"]


def test_the_marker_on_a_module_applies_to_every_async_test(pytester: pytest.Pytester) -> None:
    """pytestmark = loop_flavours(...) chooses for the whole module."""
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.loop_flavours("virtual", "asyncio")

        async def test_a():
            pass

        async def test_b():
            pass
        """
    )
    reprec = pytester.inline_run()
    assert passed_ids(reprec) == [
        "test_a[virtual]",
        "test_a[asyncio]",
        "test_b[virtual]",
        "test_b[asyncio]",
    ]


def test_the_debug_flavour_really_runs_in_debug_mode(pytester: pytest.Pytester) -> None:
    """pytest-asyncio turns debug off on every loop it makes; the debug flavour stays on."""
    result = run_loop_types(pytester, '@pytest.mark.loop_flavours("debug")')
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*seen: pytest_concurrency.loops._DebugEventLoop debug=True"])


def test_the_virtual_flavour_is_the_virtual_time_loop(pytester: pytest.Pytester) -> None:
    """The virtual flavour's loop is a VirtualTimeEventLoop whose clock starts at zero."""
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        from pytest_concurrency import VirtualTimeEventLoop

        @pytest.mark.loop_flavours("virtual")
        async def test_x():
            loop = asyncio.get_running_loop()
            assert isinstance(loop, VirtualTimeEventLoop)
            assert loop.time() == 0.0
        """
    )
    pytester.inline_run().assertoutcome(passed=1)


@pytest.mark.python("<3.12")
def test_eager_skips_with_its_reason_before_python_3_12(pytester: pytest.Pytester) -> None:
    """Asked for eager on 3.10 or 3.11, the test is skipped, saying 3.12 is needed."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.loop_flavours("eager")
        async def test_x():
            pass
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED*loop flavour 'eager' needs asyncio.eager_task_factory, new in Python 3.12*"]
    )


@pytest.mark.python(">=3.12")
def test_eager_runs_a_new_task_to_its_first_await_inside_create_task(
    pytester: pytest.Pytester,
) -> None:
    """On 3.12+, under eager, create_task runs the task's first step before returning."""
    pytester.makepyfile(
        """
        import asyncio
        import pytest

        async def first_steps():
            events = []

            async def child():
                events.append("child starts")

            task = asyncio.get_running_loop().create_task(child())
            events.append("create_task returned")
            await task
            return events

        @pytest.mark.loop_flavours("eager")
        async def test_eager():
            assert await first_steps() == ["child starts", "create_task returned"]

        @pytest.mark.loop_flavours("asyncio")
        async def test_lazy():
            assert await first_steps() == ["create_task returned", "child starts"]
        """
    )
    pytester.inline_run().assertoutcome(passed=2)


@pytest.mark.library("uvloop", ">=0.17")
def test_the_uvloop_flavour_runs_on_uvloop_when_installed(pytester: pytest.Pytester) -> None:
    """With uvloop installed, the uvloop flavour's loop is uvloop's."""
    result = run_loop_types(pytester, '@pytest.mark.loop_flavours("uvloop")')
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*seen: uvloop.Loop debug=False"])


@pytest.mark.library("rloop", ">=0.1")
@pytest.mark.platform("linux")
def test_the_rloop_flavour_leaves_no_socket_of_its_runs_behind() -> None:
    """rloop's loop, as the flavour makes it, leaves neither an unclosed socket object (a
    ResourceWarning) nor an open descriptor behind its runs."""
    loop = flavour("rloop").factory()
    descriptors_before_runs = len(os.listdir("/proc/self/fd"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for _ in range(2):  # each run makes, then drops, a socket pair
                loop.run_until_complete(asyncio.sleep(0))
            descriptors_after_runs = len(os.listdir("/proc/self/fd"))
        finally:
            loop.close()
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
    assert descriptors_after_runs == descriptors_before_runs


def test_the_uvloop_flavour_skips_with_its_reason_when_uvloop_is_missing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without uvloop (hidden from import), the uvloop flavour skips, saying what to install."""
    monkeypatch.setitem(sys.modules, "uvloop", None)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.loop_flavours("uvloop")
        async def test_x():
            pass
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED*loop flavour 'uvloop' needs the uvloop package"
            " (pip install 'pytest-concurrency-specs?uvloop?')"
        ]
    )


def test_an_unknown_flavour_in_the_marker_is_a_collection_error(
    pytester: pytest.Pytester,
) -> None:
    """A misspelt flavour in the marker stops collection and names the accepted ones."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.loop_flavours("virtaul")
        async def test_x():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*unknown loop flavour 'virtaul'; accepted: asyncio, debug, eager, virtual, uvloop*"]
    )


def test_a_malformed_flavour_marker_is_a_collection_error(pytester: pytest.Pytester) -> None:
    """The marker takes names as strings, at least one."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.loop_flavours()
        async def test_x():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*loop_flavours() takes one or more names as strings*"])


# --- tests that use no loop ------------------------------------------------------------------


def test_sync_tests_and_their_fixtures_are_not_multiplied_by_flavours(
    pytester: pytest.Pytester,
) -> None:
    """Only async tests run per flavour; a module fixture of sync tests is built once."""
    pytester.makepyfile(
        """
        import pytest

        built = []

        @pytest.fixture(scope="module")
        def resource():
            built.append("resource")
            return "resource"

        def test_sync_one(resource):
            pass

        async def test_async(resource):
            pass

        def test_sync_two(resource):
            pass

        def test_zz_built_once():
            assert built == ["resource"]
        """
    )
    reprec = pytester.inline_run("--loop-flavours=asyncio,virtual,debug")
    assert passed_ids(reprec) == [
        "test_sync_one",
        "test_async[asyncio]",
        "test_async[virtual]",
        "test_async[debug]",
        "test_sync_two",
        "test_zz_built_once",
    ]


def test_the_asyncio_marker_can_pick_flavours_by_name(pytester: pytest.Pytester) -> None:
    """pytest-asyncio's own loop_factories argument accepts every flavour name."""
    pytester.makepyfile(
        """
        import asyncio
        import pytest
        from pytest_concurrency import VirtualTimeEventLoop

        @pytest.mark.asyncio(loop_factories=["virtual"])
        async def test_x():
            assert isinstance(asyncio.get_running_loop(), VirtualTimeEventLoop)
        """
    )
    pytester.inline_run().assertoutcome(passed=1)


def test_a_conftest_answering_the_loop_factories_hook_hides_no_flavour_silently(
    pytester: pytest.Pytester,
) -> None:
    """pytest-asyncio takes the first answer: flavours asked for and hidden by a conftest's
    answer are a collection error naming the conftest; without flavours asked, nothing changes."""
    pytester.makeconftest(
        """
        import asyncio

        def pytest_asyncio_loop_factories(config, item):
            return {"mine": asyncio.new_event_loop}
        """
    )
    pytester.makepyfile("async def test_x():\n    pass\n")

    asked = pytester.runpytest("--loop-flavours=virtual")
    not_asked = pytester.runpytest()

    assert asked.ret == pytest.ExitCode.INTERRUPTED  # a collection error
    asked.stdout.fnmatch_lines(["*test_x: loop flavours were asked for*conftest.py*'mine'*"])
    not_asked.assert_outcomes(passed=1)


def test_a_plugin_cannot_register_a_reserved_or_explicit_flavour_name() -> None:
    """``all`` and the explicit flavours (``ready-callback``) are taken: registering either is
    an error naming the plugin."""
    for name in ("all", "ready-callback", "asyncio"):
        with pytest.raises(ValueError, match=f"myplugin: loop flavour '{name}' is already defined"):
            loops.register_flavours({name: asyncio.new_event_loop}, "myplugin")
    assert loops.FLAVOURS.names() == ["asyncio", "debug", "eager", "virtual", "uvloop", "rloop"]
