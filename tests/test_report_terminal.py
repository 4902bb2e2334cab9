"""The claims summary at the end of a run: compact by default, every claim with -v."""

from __future__ import annotations

import json
import re

import pytest

from pytest_concurrency.claims import load_catalogue

SPECS = """
import pytest

@pytest.mark.claim("BAS-1")
def test_a_call_returns_after_the_callee():
    pass

@pytest.mark.claim("CF-7", verdict="erratum", note="the default is not what the note says")
def test_the_default_pool_size():
    pass

@pytest.mark.claim("BAS-2")
@pytest.mark.python(">=3.99")
def test_only_on_a_future_python():
    pass

@pytest.mark.claim("BAS-4")
def test_that_fails():
    assert 1 == 2

@pytest.mark.claim("AIO-1", verdict="erratum", note="not so under virtual time")
@pytest.mark.loop_flavours("virtual")
async def test_under_virtual_time():
    pass

@pytest.mark.claim("AIO-1")
@pytest.mark.loop_flavours("asyncio")
async def test_on_the_default_loop():
    pass
"""


@pytest.fixture
def specs(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_specs=SPECS)
    return pytester


def summary(result: pytest.RunResult) -> list[str]:
    """The lines of the claims section, up to the next section."""
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if "claims of the concurrency note" in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("=")), len(lines))
    return lines[start + 1 : end]


def claim_lines(lines: list[str]) -> dict[str, str]:
    """Claim ID -> its line, checking that no claim has two."""
    found: dict[str, str] = {}
    for line in lines:
        match = re.match(r"  ([A-Z]+-\d+) ", line)
        if match:
            assert match[1] not in found, f"{match[1]} listed twice"
            found[match[1]] = line
    return found


def test_the_compact_summary_lists_the_notable_claims_one_line_each(
    specs: pytest.Pytester,
) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", "--color=no")

    lines = summary(result)
    claims = claim_lines(lines)
    assert set(claims) == {"CF-7", "BAS-2", "BAS-4", "AIO-1"}  # not the confirmed holds BAS-1
    assert claims["CF-7"].split() == [
        "CF-7",
        "erratum",
        "confirmed",
        "the",
        "default",
        "is",
        "not",
        "what",
        "the",
        "note",
        "says",
    ]
    assert claims["BAS-4"].split()[:4] == ["BAS-4", "holds", "contradicted", "failed:"]
    assert "test_that_fails" in claims["BAS-4"]
    assert claims["BAS-2"].split()[:4] == ["BAS-2", "holds", "untested", "skipped:"]
    assert "needs Python >=3.99" in claims["BAS-2"]
    assert claims["AIO-1"].split()[:3] == ["AIO-1", "conditional", "confirmed"]
    assert "(erratum: virtual; holds: asyncio)" in claims["AIO-1"]
    total = len(load_catalogue())
    assert (
        f"{total} claims: 3 confirmed, 1 contradicted, 1 untested, 0 not run, {total - 5} no spec"
        in lines
    )
    assert "verdicts here, of the claims with a spec: 3 holds, 1 erratum, 1 conditional" in lines
    assert any(line.startswith("claims without a spec") for line in lines)
    assert "\x1b[" not in result.stdout.str()


def test_the_summary_fits_the_terminal_width(specs: pytest.Pytester) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", "--color=no")

    assert all(len(line) <= 80 for line in claim_lines(summary(result)).values())


def test_verbose_lists_every_claim_of_the_catalogue(specs: pytest.Pytester) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", "--color=no", "-v")

    claims = claim_lines(summary(result))
    assert list(claims) == [claim.id for claim in load_catalogue()]
    assert claims["BAS-1"].split()[:3] == ["BAS-1", "holds", "confirmed"]
    assert claims["BAS-3"].split()[:3] == ["BAS-3", "-", "no"]  # "no spec", then the claim


def test_the_summary_is_the_same_under_xdist(specs: pytest.Pytester) -> None:
    alone = specs.runpytest("-p", "no:cacheprovider", "--color=no", "-v")
    distributed = specs.runpytest("-p", "no:cacheprovider", "--color=no", "-v", "-n", "2")

    assert summary(distributed) == summary(alone)


def test_deselected_specs_do_not_count(specs: pytest.Pytester) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", "--color=no", "-k", "not fails")

    assert "BAS-4" not in claim_lines(summary(result))


def test_a_run_without_specs_has_no_claims_summary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")

    result = pytester.runpytest("-p", "no:cacheprovider")

    assert "claims of the concurrency note" not in result.stdout.str()


def test_collecting_only_has_no_claims_summary(specs: pytest.Pytester) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", "--collect-only", "--claims-report=r.json")

    assert "claims of the concurrency note" not in result.stdout.str()
    assert not (specs.path / "r.json").exists()


def test_quiet_runs_get_the_compact_summary_too(specs: pytest.Pytester) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", "--color=no", "-q")

    lines = summary(result)
    assert set(claim_lines(lines)) == {"CF-7", "BAS-2", "BAS-4", "AIO-1"}
    assert any(line.startswith("claims without a spec") for line in lines)


IMPLEMENTATION_SPECS = """
import concurrent.futures

import pytest


def pytest_concurrency_executor_kinds(config):
    return {"user-kind": lambda max_workers=None, **options: concurrent.futures.ThreadPoolExecutor(
        max_workers, thread_name_prefix="user-kind"
    )}
"""


def test_a_run_on_another_implementation_lists_per_implementation_what_its_specs_confirm(
    pytester: pytest.Pytester,
) -> None:
    """With a kind other than CPython's in the run, the summary says per executor kind which
    claims its specs confirmed and which they contradicted; a CPython-only run leaves it out."""
    pytester.makeconftest(IMPLEMENTATION_SPECS)
    pytester.makepyfile(
        test_specs="""
        import pytest

        @pytest.mark.claim("CF-4")
        def test_differs_on_the_user_kind(executor, executor_kind):
            assert executor_kind != "user-kind"

        @pytest.mark.claim("CF-13")
        def test_holds_everywhere(executor):
            assert executor.submit(abs, -1).result(30) == 1
        """
    )

    result = pytester.runpytest("--executor-kinds=thread,user-kind", "-p", "no:randomly")
    cpython_only = pytester.runpytest("--executor-kinds=thread", "-p", "no:randomly")

    result.assert_outcomes(passed=3, failed=1)
    heading = "claims confirmed, of those checked on each executor kind and loop flavour:"
    assert heading in summary(result)
    assert [line for line in summary(result) if line.startswith("  ") and "of 2" in line] == [
        "  thread               2 of 2",
        "  user-kind            1 of 2; contradicted: CF-4",
    ]
    assert heading not in summary(cpython_only)


SOME_SKIPPED = """
import json
import pytest

@pytest.mark.claim("EX-12")
def test_the_part_that_needs_no_service():
    pass

@pytest.mark.claim("EX-12")
def test_the_part_that_needs_the_service():
    pytest.skip("redis-server is not installed")

@pytest.mark.claim("EX-12")
@pytest.mark.python("<3.0")
def test_the_part_for_another_python():
    pass
"""


def test_a_confirmed_claim_says_which_of_its_specs_were_skipped_and_why(
    pytester: pytest.Pytester,
) -> None:
    """A claim confirmed while some of its specs were skipped for a reason other than their
    guard says so beside the outcome, in the summary and in the report's skipped_specs (a
    spec whose guard does not hold here is the claim's condition, not a gap)."""
    pytester.makepyfile(test_specs=SOME_SKIPPED)

    result = pytester.runpytest("--claims-report=claims.json", "-vv")  # -vv: lines not cut

    line = claim_lines(summary(result))["EX-12"]
    assert re.split(r"\s{2,}", line.strip()) == [
        "EX-12",
        "holds",
        "confirmed",
        "1 spec skipped: redis-server is not installed",
    ]
    claim = next(
        c
        for c in json.loads((pytester.path / "claims.json").read_text())["claims"]
        if c["id"] == "EX-12"
    )
    assert claim["outcome"] == "confirmed"
    assert claim["skipped_specs"] == [
        {
            "nodeid": "test_specs.py::test_the_part_that_needs_the_service",
            "skip_reason": "redis-server is not installed",
        }
    ]


def test_a_claim_whose_specs_were_not_selected_is_not_run_not_without_a_spec(
    pytester: pytest.Pytester,
) -> None:
    """A run of part of the spec tree calls the claims of the other part "not run": their
    specs exist (the claim markers of specs/ say so) but this run did not select them."""
    pytester.mkdir("specs")
    pytester.mkdir("specs/first")
    pytester.mkdir("specs/second")
    (pytester.path / "specs/first/test_one.py").write_text(
        'import pytest\n\n@pytest.mark.claim("BAS-1")\ndef test_a():\n    pass\n'
    )
    (pytester.path / "specs/second/test_two.py").write_text(
        'import pytest\n\n@pytest.mark.claim(\n    "BAS-2", "CF-7", verdict="holds"\n)\n'
        "def test_b():\n    pass\n"
    )

    result = pytester.runpytest("specs/first", "--claims-report=claims.json")

    outcomes = {
        c["id"]: c["outcome"]
        for c in json.loads((pytester.path / "claims.json").read_text())["claims"]
    }
    assert (outcomes["BAS-1"], outcomes["BAS-2"], outcomes["CF-7"]) == (
        "confirmed",
        "not run",
        "not run",
    )
    assert outcomes["BAS-3"] == "no spec"
    lines = summary(result)
    assert any(
        line.startswith("claims not run (2), their specs not selected here: BAS-2, CF-7")
        for line in lines
    )
