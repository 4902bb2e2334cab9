"""pytest --claims: the catalogue as a reading guide, with the specs that check each claim."""

from __future__ import annotations

import re

import pytest

from pytest_concurrency.claims import load_catalogue

SPECS = """
import pytest

@pytest.mark.claim("CF-7", verdict="erratum", note="the default is not what the note says")
@pytest.mark.executor_kinds("thread", "process-spawn")
def test_the_default_pool_size(executor):
    raise AssertionError("a guide runs nothing")

@pytest.mark.claim("BAS-1")
@pytest.mark.claim("CF-1")
def test_a_call_returns_after_the_callee():
    raise AssertionError("a guide runs nothing")
"""


@pytest.fixture
def specs(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_api=SPECS)
    return pytester


def test_every_claim_is_listed_with_the_tests_that_check_it(specs: pytest.Pytester) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", "--claims")

    assert result.ret == pytest.ExitCode.OK
    lines = result.outlines
    for claim in load_catalogue():
        assert sum(line.startswith(f"{claim.id}  [{claim.kind}] ") for line in lines) == 1
    cf7 = lines.index(next(line for line in lines if line.startswith("CF-7  ")))
    assert lines[cf7 + 1].split() == ["test_api.py:3", "test_the_default_pool_size", "(erratum)"]
    assert lines[cf7 + 2].startswith("CF-")  # the two parameter sets are one test
    bas1 = lines.index(next(line for line in lines if line.startswith("BAS-1  ")))
    assert lines[bas1 + 1].split() == [
        "test_api.py:8",
        "test_a_call_returns_after_the_callee",
        "(holds)",
    ]
    assert lines[bas1 + 3] == "    (no spec)"  # BAS-2, the next claim
    total = len(load_catalogue())
    assert f"{total} claims: 3 checked by 3 collected specs, {total - 3} without a spec" in lines


def test_the_guide_runs_nothing(specs: pytest.Pytester) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", "--claims", "--claims-report=r.json")

    assert not any(re.search(r"\d+ (passed|failed)", line) for line in result.outlines)
    assert "claims of the concurrency note" not in result.stdout.str()  # no summary of a run
    assert not (specs.path / "r.json").exists()


def test_the_guide_ignores_xdist(specs: pytest.Pytester) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", "--claims", "-n", "2")

    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["    test_api.py:3  test_the_default_pool_size (erratum)"])


def test_each_claim_shows_the_lines_of_the_note_it_comes_from(specs: pytest.Pytester) -> None:
    """The guide names each claim's source: ``(note lines 98-99)`` after its text."""
    result = specs.runpytest("-p", "no:cacheprovider", "--claims")

    for claim in load_catalogue():
        (line,) = [x for x in result.outlines if x.startswith(f"{claim.id}  [")]
        assert line.endswith(f"{claim.text} ({claim.note_lines_text})"), line


def test_the_guide_speaks_korean_when_asked(specs: pytest.Pytester) -> None:
    """--claims-language=ko lists each claim in its Korean text."""
    result = specs.runpytest("-p", "no:cacheprovider", "--claims", "--claims-language=ko")

    for claim in load_catalogue():
        (line,) = [x for x in result.outlines if x.startswith(f"{claim.id}  [")]
        assert f"] {claim.text_ko} (" in line, line


def test_an_unknown_claims_language_is_a_usage_error(specs: pytest.Pytester) -> None:
    """The error names what was given and what is accepted."""
    result = specs.runpytest("--claims", "--claims-language=fr")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown --claims-language 'fr'; accepted: en, ko*"])
