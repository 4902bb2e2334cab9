"""--claims-report writes JSON (to a documented schema), Markdown or HTML by the extension."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_concurrency.claims import load_catalogue

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "claims-report.schema.json"

SPECS = """
import pytest

@pytest.mark.claim("BAS-1")
def test_a_call_returns_after_the_callee():
    pass

@pytest.mark.claim("CF-7", verdict="erratum", note="the default is not what the note says")
@pytest.mark.executor_kinds("thread", "process-spawn")
def test_the_default_pool_size(executor):
    pass

@pytest.mark.claim("BAS-2")
@pytest.mark.python(">=3.99")
def test_only_on_a_future_python():
    pass

@pytest.mark.claim("BAS-4")
def test_that_fails():
    assert 1 == 2
"""


@pytest.fixture
def specs(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_specs=SPECS)
    return pytester


def report(pytester: pytest.Pytester, name: str, *args: str) -> str:
    result = pytester.runpytest("-p", "no:cacheprovider", f"--claims-report={name}", *args)
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # test_that_fails, and nothing else
    assert f"claims report written to {pytester.path / name}" in result.outlines
    return (pytester.path / name).read_text("utf-8")


# A checker for the part of JSON Schema that docs/claims-report.schema.json uses.
def check(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "$") -> None:
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].removeprefix("#/$defs/")]
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if "oneOf" in schema:
        passing = 0
        for option in schema["oneOf"]:
            try:
                check(value, option, root, where)
                passing += 1
            except AssertionError:
                pass
        assert passing == 1, f"{where}: {value!r} matches {passing} of oneOf"
    kinds = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
    if "type" in schema:
        assert schema["type"] in ("null",) or isinstance(value, kinds[schema["type"]]), where
        assert schema["type"] != "null" or value is None, where
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: {key!r} missing"
        for key, item in value.items():
            if key in schema.get("properties", {}):
                check(item, schema["properties"][key], root, f"{where}.{key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                check(item, schema["additionalProperties"], root, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            check(item, schema["items"], root, f"{where}[{index}]")
    if "minimum" in schema:
        assert value >= schema["minimum"], where


def test_the_json_report_follows_its_schema(specs: pytest.Pytester) -> None:
    document = json.loads(report(specs, "claims.json"))
    schema = json.loads(SCHEMA.read_text("utf-8"))

    check(document, schema, schema)


def test_the_json_report_names_every_claim_with_verdict_and_outcome(
    specs: pytest.Pytester,
) -> None:
    document = json.loads(report(specs, "claims.json"))

    claims = {claim["id"]: claim for claim in document["claims"]}
    assert list(claims) == [claim.id for claim in load_catalogue()]
    summary = {cid: (c["verdict_here"], c["outcome"]) for cid, c in claims.items() if c["specs"]}
    assert summary == {
        "BAS-1": ("holds", "confirmed"),
        "BAS-2": ("holds", "untested"),
        "BAS-4": ("holds", "contradicted"),
        "CF-7": ("erratum", "confirmed"),
    }
    assert claims["BAS-3"]["outcome"] == "no spec"
    assert claims["BAS-3"]["verdict"] is None
    assert claims["CF-7"]["note"] == "the default is not what the note says"
    assert claims["BAS-2"]["skip_reasons"] == [
        f"needs Python >=3.99; this is {'.'.join(map(str, sys.version_info[:3]))}"
    ]


def test_each_spec_has_its_node_id_place_outcome_and_parameters(specs: pytest.Pytester) -> None:
    document = json.loads(report(specs, "claims.json"))

    cf7 = next(claim for claim in document["claims"] if claim["id"] == "CF-7")
    assert [
        (s["nodeid"], s["file"], s["line"], s["outcome"], s["parameters"]) for s in cf7["specs"]
    ] == [
        (
            "test_specs.py::test_the_default_pool_size[process-spawn]",
            "test_specs.py",
            7,
            "passed",
            {"executor_kind": "process-spawn"},
        ),
        (
            "test_specs.py::test_the_default_pool_size[thread]",
            "test_specs.py",
            7,
            "passed",
            {"executor_kind": "thread"},
        ),
    ]


def test_the_json_report_describes_the_interpreter(specs: pytest.Pytester) -> None:
    document = json.loads(report(specs, "claims.json"))

    interpreter = document["interpreter"]
    assert interpreter["version_info"] == list(sys.version_info[:3])
    gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)()  # 3.13+ may run without it
    assert interpreter["gil"] == ("enabled" if gil_enabled else "disabled")
    assert interpreter["platform"] == sys.platform
    assert "spawn" in interpreter["start_methods"]
    assert "virtual" in interpreter["loop_flavours"]


def test_the_json_report_is_the_same_under_xdist(specs: pytest.Pytester) -> None:
    alone = json.loads(report(specs, "alone.json"))
    distributed = json.loads(report(specs, "distributed.json", "-n", "2"))

    for document in (alone, distributed):
        del document["created"]
    assert distributed == alone


def test_the_ini_twin_names_the_report(specs: pytest.Pytester, make_ini) -> None:
    make_ini("claims_report = out/claims.json")

    specs.runpytest("-p", "no:cacheprovider")

    assert json.loads((specs.path / "out" / "claims.json").read_text("utf-8"))["claims"]


def test_the_markdown_report_has_a_row_per_claim_with_links(specs: pytest.Pytester) -> None:
    text = report(specs, "claims.md")

    for claim in load_catalogue():
        assert len(re.findall(rf"^\| \*\*{claim.id}\*\* ", text, flags=re.MULTILINE)) == 1
    cf7 = next(line for line in text.splitlines() if line.startswith("| **CF-7**"))
    assert "| erratum, confirmed |" in cf7
    assert "[test_the_default_pool_size](test_specs.py#L7)" in cf7
    bas3 = next(line for line in text.splitlines() if line.startswith("| **BAS-3**"))
    assert "| no spec |" in bas3


def test_the_html_report_is_one_self_contained_page(specs: pytest.Pytester) -> None:
    page = report(specs, "claims.html")

    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|url\(|https?://", page)
    sections = load_catalogue().sections
    assert page.count("<details open") == len(sections)
    for claim in load_catalogue():
        assert page.count(f'<tr id="{claim.id}"') == 1
    assert '<a href="test_specs.py#L7">CF-7</a>' in page
    assert 'class="cell v-erratum o-confirmed"' in page
    assert 'class="cell v-holds o-contradicted"' in page
    assert 'class="cell v-holds o-untested"' in page
    assert 'class="cell v-none o-no-spec"' in page


@pytest.mark.parametrize("name", ["claims.txt", "claims"])
def test_an_unknown_extension_is_a_usage_error_naming_the_accepted_ones(
    specs: pytest.Pytester, name: str
) -> None:
    result = specs.runpytest("-p", "no:cacheprovider", f"--claims-report={name}")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown report format*accepted extensions: .json, .md, .html*"])


def test_the_json_report_names_each_claims_lines_of_the_note(pytester: pytest.Pytester) -> None:
    """Every claim of the JSON report carries the note lines the catalogue gives it."""
    pytester.makepyfile('import pytest\n\n@pytest.mark.claim("CF-7")\ndef test_x():\n    pass\n')

    pytester.runpytest("--claims-report=claims.json")

    claims = json.loads((pytester.path / "claims.json").read_text())["claims"]
    catalogue = load_catalogue()
    assert {c["id"]: c["note_lines"] for c in claims} == {
        claim.id: list(claim.note_lines) for claim in catalogue
    }


def test_a_report_in_korean_shows_the_korean_text_and_says_its_language(
    pytester: pytest.Pytester,
) -> None:
    """--claims-language=ko: the Markdown and HTML reports show each claim's Korean text; the
    JSON report carries both texts and the run's language."""
    pytester.makepyfile('import pytest\n\n@pytest.mark.claim("CF-7")\ndef test_x():\n    pass\n')

    pytester.runpytest("--claims-language=ko", "--claims-report=claims.json")
    pytester.runpytest("--claims-language=ko", "--claims-report=claims.md")
    pytester.runpytest("--claims-language=ko", "--claims-report=claims.html")

    document = json.loads((pytester.path / "claims.json").read_text())
    assert document["run"]["claims_language"] == "ko"
    cf7 = load_catalogue().get("CF-7")
    (claim,) = [c for c in document["claims"] if c["id"] == "CF-7"]
    assert (claim["text"], claim["text_ko"]) == (cf7.text, cf7.text_ko)
    assert cf7.text_ko in (pytester.path / "claims.md").read_text("utf-8")
    html = (pytester.path / "claims.html").read_text("utf-8")
    assert '<html lang="ko">' in html


EXPLORED = """
import pytest
from pytest_concurrency import explore

@pytest.mark.claim("BAS-4")
def test_orders():
    def scenario(steps):
        shared = {"n": 0}
        def add(who):
            with steps.step(f"{who} reads"):
                seen = shared["n"]
            with steps.step(f"{who} writes"):
                shared["n"] = seen + 1
        steps.run_threads(add, "a", "b")
        return shared["n"]
    assert explore(scenario).schedules == 6
"""


def test_a_claims_explored_counts_reach_the_report(pytester: pytest.Pytester) -> None:
    """An exploration a spec makes is counted in its claim's report: how many orders, and in
    how many of them each outcome came out (measured on this interpreter)."""
    pytester.makepyfile(test_specs=EXPLORED)

    pytester.runpytest("--claims-report=claims.json")
    pytester.runpytest("--claims-report=claims.md")

    claims = json.loads((pytester.path / "claims.json").read_text())["claims"]
    (bas4,) = [c for c in claims if c["id"] == "BAS-4"]
    assert [(e["schedules"], e["outcomes"]) for e in bas4["explorations"]] == [
        (6, {"1": 4, "2": 2})
    ]
    assert "explored: 6 orders: 1 in 4, 2 in 2" in (pytester.path / "claims.md").read_text()
