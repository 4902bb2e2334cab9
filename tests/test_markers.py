"""The markers: claim links, guards that skip, selectors that narrow the parametrization."""

from __future__ import annotations

import importlib.metadata
import sys

import pytest

from pytest_concurrency import usable_cpus
from pytest_concurrency.claims.links import ClaimLink, claim_links
from pytest_concurrency.markers import MARKERS, MarkerError

HERE = ".".join(map(str, sys.version_info[:3]))


def one_test(mark: str, args: str = "") -> str:
    """A test file with one (sync) test carrying ``mark``."""
    return f"import pytest\n\n@pytest.mark.{mark}\ndef test_x({args}):\n    pass\n"


def ids(reports: list[pytest.TestReport]) -> list[str]:
    return [report.nodeid.split("::", 1)[1] for report in reports]


# --- registration ----------------------------------------------------------------------------


def test_every_marker_is_registered_with_its_help(pytester: pytest.Pytester) -> None:
    """pytest --markers lists each of the plugin's markers with its help text."""
    assert set(MARKERS) == {
        "claim",
        "python",
        "gil",
        "platform",
        "cpus",
        "library",
        "start_methods",
        "executor_kinds",
        "loop_flavours",
        "allow_leaks",
        "fresh_pools",
        "hang_guard",
        "contract",
        "implementation",
        "explore",
        "thread_virtual_time",
    }
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines_random(
        [f"@pytest.mark.{text.split(':')[0]}:*" for text in MARKERS.values()]
    )


def test_the_markers_are_accepted_under_strict_markers(pytester: pytest.Pytester) -> None:
    """A test carrying every marker (all holding) runs under --strict-markers."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.claim("CF-1")
        @pytest.mark.python(">=3.10")
        @pytest.mark.platform("linux", "darwin", "win32")
        @pytest.mark.cpus(1)
        @pytest.mark.library("pytest", ">=8")
        @pytest.mark.start_methods("spawn")
        @pytest.mark.executor_kinds("thread")
        @pytest.mark.loop_flavours("virtual")
        @pytest.mark.allow_leaks(reason="nothing to leak")
        async def test_x():
            pass
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


# --- claim -----------------------------------------------------------------------------------


def test_claim_links_read_ids_verdict_and_note() -> None:
    """A claim marker becomes a link; the verdict defaults to holds."""
    marks = [
        pytest.mark.claim("CF-1", "CF-2").mark,
        pytest.mark.claim("AIO-1", verdict="erratum", note="it is the other way round").mark,
    ]
    assert claim_links(marks) == [
        ClaimLink(("CF-1", "CF-2"), "holds", ""),
        ClaimLink(("AIO-1",), "erratum", "it is the other way round"),
    ]


def test_a_valid_claim_runs_the_test(pytester: pytest.Pytester) -> None:
    """Every verdict with what it needs is accepted."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.claim("CF-1")
        def test_holds():
            pass

        @pytest.mark.claim("CF-2", verdict="erratum", note="the note is wrong")
        def test_erratum():
            pass

        @pytest.mark.claim("CF-3", verdict="conditional", note="on 3.12+ only")
        def test_conditional():
            pass
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        (
            'claim("CF-99")',
            "*test_x: unknown claim ID 'CF-99'; did you mean CF-9*",
        ),
        (
            'claim("CF-1", verdict="wrong")',
            "*test_x: unknown verdict 'wrong' for CF-1; accepted: holds, erratum, conditional",
        ),
        (
            'claim("CF-1", verdict="erratum")',
            "*test_x: verdict 'erratum' for CF-1 needs a note saying what the note got wrong*",
        ),
        (
            'claim("CF-1", verdict="conditional", note="  ")',
            "*test_x: verdict 'conditional' for CF-1 needs a note*",
        ),
        ("claim()", "*test_x: claim() needs at least one claim ID, e.g. claim('CF-7')"),
        (
            'claim("CF-1", reason="x")',
            "*test_x: claim() got unexpected argument(s) ?'reason'?*",
        ),
        ("claim(7)", "*test_x: claim IDs are strings, got 7"),
    ],
)
def test_a_bad_claim_fails_collection_with_a_clear_message(
    pytester: pytest.Pytester, mark: str, message: str
) -> None:
    """Unknown IDs, unknown verdicts and missing notes stop collection and say why."""
    pytester.makepyfile(one_test(mark))
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])


def test_a_bad_claim_is_a_marker_error() -> None:
    """claim_links raises MarkerError, a ValueError, for callers outside pytest."""
    with pytest.raises(MarkerError, match="unknown claim ID 'NOPE-1'"):
        claim_links([pytest.mark.claim("NOPE-1").mark])
    assert issubclass(MarkerError, ValueError)


# --- guards ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mark", "reason"),
    [
        ('python(">=99")', f"needs Python >=99; this is {HERE}"),
        ('platform("plan9", "win32")', f"needs platform plan9 or win32; this is {sys.platform}"),
        ("cpus(4096)", f"needs 4096 CPUs to show the effect; {usable_cpus()} usable"),
        (
            'library("numpy", ">=99")',
            f"needs numpy>=99; installed is {importlib.metadata.version('numpy')}",
        ),
        (
            'library("no-such-distribution", ">=1")',
            "needs no-such-distribution>=1; no-such-distribution is not installed",
        ),
    ],
)
def test_a_guard_that_does_not_hold_skips_with_a_readable_reason(
    pytester: pytest.Pytester, mark: str, reason: str
) -> None:
    """Each guard says what the test needs and what this machine has, at the test's line."""
    test_file = pytester.makepyfile(one_test(mark))
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED [[]1[]] {test_file.name}:3: {reason}"])


@pytest.mark.gil("enabled")
def test_the_gil_guard_skips_a_free_threading_spec_here(pytester: pytest.Pytester) -> None:
    """With the GIL on, a spec for free-threaded builds skips, saying so."""
    pytester.makepyfile(one_test('gil("disabled")'))
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*: needs the GIL disabled; here it is enabled"])


@pytest.mark.gil("enabled")
def test_the_gil_guard_runs_a_spec_for_the_gil_here(pytester: pytest.Pytester) -> None:
    """With the GIL on, gil('enabled') holds."""
    pytester.makepyfile(one_test('gil("enabled")'))
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.gil("disabled")
def test_the_gil_guard_skips_a_spec_for_the_gil_on_a_free_threaded_build(
    pytester: pytest.Pytester,
) -> None:
    """With the GIL off, a spec for GIL builds skips, saying so."""
    pytester.makepyfile(one_test('gil("enabled")'))
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*: needs the GIL enabled; here it is disabled"])


@pytest.mark.gil("disabled")
def test_the_gil_guard_runs_a_free_threading_spec_on_a_free_threaded_build(
    pytester: pytest.Pytester,
) -> None:
    """With the GIL off, gil('disabled') holds."""
    pytester.makepyfile(one_test('gil("disabled")'))
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    "mark",
    [
        f'python("=={HERE}")',
        'python(">=3.10,<4")',
        f'platform("{sys.platform[:3]}")',
        "cpus(1)",
        'library("pytest", ">=8.4")',
    ],
)
def test_a_guard_that_holds_runs_the_test(pytester: pytest.Pytester, mark: str) -> None:
    """When the condition holds here, the test runs."""
    pytester.makepyfile(one_test(mark))
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_guard_on_the_module_applies_to_each_test(pytester: pytest.Pytester) -> None:
    """pytestmark guards skip every test of the module."""
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.python("<3.0")

        def test_a():
            pass

        def test_b():
            pass
        """
    )
    pytester.runpytest().assert_outcomes(skipped=2)


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        (
            'python("banana")',
            "python() needs a version range like '>=3.12' or '>=3.10,<3.12', got 'banana'",
        ),
        ("python()", "python() takes exactly one positional argument"),
        ('python(">=3", ">=4")', "python() takes exactly one positional argument"),
        ('gil("maybe")', "gil() takes 'enabled' or 'disabled', got 'maybe'"),
        ("platform()", "platform() takes one or more names such as 'linux', 'darwin'"),
        ("platform(3)", "platform() takes one or more names such as 'linux', 'darwin'"),
        ("cpus(0)", "cpus() takes a positive whole number, got 0"),
        ('cpus("2")', "cpus() takes a positive whole number, got '2'"),
        ('library("numpy")', "library() takes a distribution name and a version range"),
        ('library("numpy", "new")', "library() needs a version range like*got 'new'"),
    ],
)
def test_a_malformed_guard_is_a_collection_error(
    pytester: pytest.Pytester, mark: str, message: str
) -> None:
    """A guard given arguments it cannot read errors instead of silently running or skipping."""
    pytester.makepyfile(one_test(mark))
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*test_x: {message}"])


def test_a_malformed_guard_is_reported_even_after_one_that_skips(
    pytester: pytest.Pytester,
) -> None:
    """Every guard is checked, so a skip does not hide a broken guard."""
    pytester.makepyfile(
        "import pytest\n\n"
        '@pytest.mark.python("<3.0")\n@pytest.mark.cpus(-1)\ndef test_x():\n    pass\n'
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cpus() takes a positive whole number, got -1"])


# --- selectors -------------------------------------------------------------------------------


@pytest.mark.platform("linux")
@pytest.mark.parametrize(
    ("mark", "fixture", "expected"),
    [
        ('start_methods("spawn")', "process_executor", ["process-spawn"]),
        (
            'start_methods("fork", "forkserver")',
            "start_method",
            ["process-fork", "process-forkserver"],
        ),
        ('start_methods("fork")', "executor_kind", ["thread", "process-fork"]),
        ('executor_kinds("thread")', "executor_kind", ["thread"]),
        ('executor_kinds("process-spawn", "thread")', "executor_kind", ["thread", "process-spawn"]),
    ],
)
def test_selector_markers_narrow_the_parametrization(
    pytester: pytest.Pytester, mark: str, fixture: str, expected: list[str]
) -> None:
    """start_methods and executor_kinds keep only the kinds they name, in the run's order."""
    pytester.makepyfile(one_test(mark, args=fixture))
    passed, _, _ = pytester.inline_run().listoutcomes()
    assert ids(passed) == [f"test_x[{kind}]" for kind in expected]


@pytest.mark.parametrize(
    ("mark", "options", "fixture", "what"),
    [
        ('executor_kinds("thread")', [], "start_method", "start method"),
        (
            'executor_kinds("process-spawn")',
            ["--start-methods=fork"],
            "executor_kind",
            "executor kind",
        ),
        (
            'start_methods("spawn")',
            ["--executor-kinds=thread,process-fork"],
            "mp_context",
            "start method",
        ),
        (
            'executor_kinds("thread")',
            ["--executor-kinds=process-fork"],
            "executor",
            "executor kind",
        ),
    ],
)
def test_an_empty_selection_is_one_skipped_test_with_the_reason(
    pytester: pytest.Pytester, mark: str, options: list[str], fixture: str, what: str
) -> None:
    """When options and markers leave nothing, the test is skipped once, saying why."""
    pytester.makepyfile(one_test(mark, args=fixture))
    reprec = pytester.inline_run(*options)
    _, skipped, _ = reprec.listoutcomes()
    parameter = what.replace(" ", "_")  # the fixture that could not be parametrized
    assert ids(skipped) == [f"test_x[no-{parameter}]"]
    assert skipped[0].longrepr[2] == (
        f"Skipped: no {what} left to run: the options and this test's markers select none"
    )


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        (
            'start_methods("fork", "vfork")',
            "unknown start method 'vfork'; accepted: fork, spawn, forkserver",
        ),
        ('executor_kinds("process")', "unknown executor kind 'process'; accepted: thread, *"),
        ("executor_kinds()", "executor_kinds() takes one or more names as strings"),
        ('start_methods(method="spawn")', "start_methods() takes one or more names as strings"),
    ],
)
def test_a_bad_selector_is_a_collection_error(
    pytester: pytest.Pytester, mark: str, message: str
) -> None:
    """Selectors are checked like guards."""
    pytester.makepyfile(one_test(mark, args="executor_kind"))
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*test_x: {message}"])
