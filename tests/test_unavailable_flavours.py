"""A loop flavour that cannot exist here skips, and leaves the other flavours' tests alone.

pytest-asyncio calls a loop factory while it sets up an async fixture's event-loop runner,
before pytest has cached that fixture's outcome. A factory that raises there (as an
unavailable flavour's did, with ``pytest.skip``) left the fixture half set up, and every later
test using it errored with a bare ``AssertionError``: 52 passing async tests became 14 passed,
7 skipped and 277 errors under ``--loop-flavours=all`` on a machine without rloop. The plugin
now skips such tests before their setup, so the factory is never called.

Each case runs one suite (sync and async tests; sync and async fixtures of every scope) twice:
on the available flavours alone, then with an unavailable one beside them. The second run must
show the first run's outcomes, plus one skip per async test for the unavailable flavour.
"""

from __future__ import annotations

import dataclasses
import sys

import pytest

from pytest_concurrency import loops

SCOPES = ("function", "class", "module", "package", "session")


def suite(mode: str, test_loop_scope: str) -> str:
    """A suite with async fixtures of every scope (each on a loop of its own scope), a sync
    fixture, and sync and async tests; in strict mode, with the decorators strict mode needs."""
    fixture_decorator = "pytest_asyncio.fixture" if mode == "strict" else "pytest.fixture"
    test_mark = f'@pytest.mark.asyncio(loop_scope="{test_loop_scope}")'
    lines = ["import pytest", "import pytest_asyncio", ""]
    for scope in SCOPES:
        loop_scope = "" if fixture_decorator == "pytest.fixture" else f', loop_scope="{scope}"'
        if fixture_decorator == "pytest.fixture":
            lines.append(f'@pytest_asyncio.fixture(scope="{scope}", loop_scope="{scope}")')
        else:
            lines.append(f'@{fixture_decorator}(scope="{scope}"{loop_scope})')
        lines += [f"async def async_{scope}():", f"    yield '{scope}'", ""]
    lines += ["@pytest.fixture", "def plain():", "    yield 'plain'", ""]
    needs = ", ".join(f"async_{s}" for s in SCOPES)
    for n in range(3):
        lines += [
            test_mark,
            f"async def test_async_{n}({needs}, plain):",
            "    assert (async_function, async_session, plain) == ('function', 'session', 'plain')",
            "",
            f"def test_sync_{n}(plain):",
            "    assert plain == 'plain'",
            "",
        ]
    others = needs.replace("async_class, ", "")
    lines += [
        "class TestInAClass:",
        f"    {test_mark}",
        f"    async def test_async_in_class(self, async_class, {others}):",
        "        assert async_class == 'class'",
        "",
        "    def test_sync_in_class(self, plain):",
        "        assert plain == 'plain'",
        "",
    ]
    return "\n".join(lines)


def needs_newer_python(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make ``eager`` unavailable, as it is before Python 3.12."""
    reason = "loop flavour 'eager' needs asyncio.eager_task_factory, new in Python 3.12"
    monkeypatch.setitem(
        loops.FLAVOURS,
        "eager",
        dataclasses.replace(loops.FLAVOURS["eager"], why_unavailable=lambda: reason),
    )
    return "eager"


def not_installed(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make ``rloop`` unavailable, as it is where the package is not installed."""
    monkeypatch.setitem(sys.modules, "rloop", None)
    return "rloop"


UNAVAILABLE = {"not installed": not_installed, "needs a newer Python": needs_newer_python}
AVAILABLE = {"asyncio": ["asyncio"], "asyncio and virtual": ["asyncio", "virtual"]}


@pytest.mark.parametrize("mode", ["auto", "strict"])
@pytest.mark.parametrize("test_loop_scope", ["function", "module"])
@pytest.mark.parametrize("why", list(UNAVAILABLE))
@pytest.mark.parametrize("available", list(AVAILABLE))
def test_an_unavailable_flavour_skips_and_the_others_run_as_without_it(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    test_loop_scope: str,
    why: str,
    available: str,
) -> None:
    """Beside an unavailable flavour, every test of the available ones has the outcome it has
    without it; each async test of the unavailable one skips with the flavour's reason, before
    its setup, and nothing errors."""
    pytester.makeini(
        "[pytest]\n"
        f"asyncio_mode = {mode}\n"
        "asyncio_default_fixture_loop_scope = function\n"
        "asyncio_default_test_loop_scope = function\n"
    )
    pytester.makepyfile(test_suite=suite(mode, test_loop_scope))
    flavours = AVAILABLE[available]
    alone = pytester.runpytest("-p", "no:randomly", f"--loop-flavours={','.join(flavours)}")
    alone_outcomes = alone.parseoutcomes()
    missing = UNAVAILABLE[why](monkeypatch)

    beside = pytester.runpytest(
        "-p", "no:randomly", "-rs", f"--loop-flavours={','.join([*flavours, missing])}"
    )

    async_tests = 4  # three at module level, one in the class
    assert alone_outcomes == {"passed": async_tests * len(flavours) + 4}
    beside.assert_outcomes(passed=alone_outcomes["passed"], skipped=async_tests)
    skip_lines = [line for line in beside.outlines if line.startswith("SKIPPED")]
    assert len(skip_lines) == async_tests
    assert all(f"loop flavour '{missing}' needs " in line for line in skip_lines)
    beside.stdout.no_fnmatch_line("*AssertionError*")


def test_an_unavailable_flavour_first_in_the_list_does_not_break_the_next(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order of the flavours does not matter: the unavailable one first, then asyncio, with
    one function-scoped async fixture shared by two tests (the issue's smallest case)."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        async def thing():
            yield 1

        async def test_one(thing):
            assert thing == 1

        async def test_two(thing):
            assert thing == 1
        """
    )
    missing = not_installed(monkeypatch)

    result = pytester.runpytest("-p", "no:randomly", f"--loop-flavours={missing},asyncio")

    result.assert_outcomes(passed=2, skipped=2)


def test_the_factory_of_an_unavailable_flavour_names_the_flavour_and_the_reason() -> None:
    """What the hook hands pytest-asyncio for an unavailable flavour says what it stands for,
    and, were it ever called, skips with the reason rather than making a loop."""
    stand_in = loops.UnavailableFlavour("rloop", "rloop is not installed")

    with pytest.raises(pytest.skip.Exception, match="rloop is not installed"):
        stand_in()

    assert loops.name_of_factory(stand_in) == "rloop"
    assert repr(stand_in) == "<loop flavour 'rloop', unavailable: rloop is not installed>"
