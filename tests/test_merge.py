"""concurrency-claims merge: the reports of several runs as one claims-by-interpreter matrix."""

from __future__ import annotations

import copy
import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_concurrency.claims.cli import main

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
"""


@pytest.fixture
def report(pytester: pytest.Pytester) -> dict[str, Any]:
    """A real report of a small run on this interpreter."""
    pytester.makepyfile(test_specs=SPECS)
    pytester.runpytest("-p", "no:cacheprovider", "--claims-report=run.json")
    document: dict[str, Any] = json.loads((pytester.path / "run.json").read_text("utf-8"))
    return document


def on_python(document: dict[str, Any], version: str) -> dict[str, Any]:
    """The same report, as if another Python, with the GIL, had written it."""
    other = copy.deepcopy(document)
    other["interpreter"].update(gil="enabled", free_threaded_build=False)
    other["interpreter"]["version"] = version
    other["interpreter"]["version_info"] = [int(part) for part in version.split(".")]
    return other


def claim(document: dict[str, Any], claim_id: str) -> dict[str, Any]:
    return next(c for c in document["claims"] if c["id"] == claim_id)


def write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(document), "utf-8")
    return path


def merged(tmp_path: Path, *reports: Path) -> dict[str, Any]:
    out = tmp_path / "matrix.json"
    assert main(["merge", *map(str, reports), "-o", str(out)]) == 0
    document: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return document


def row(matrix: dict[str, Any], claim_id: str) -> dict[str, Any]:
    return next(r for r in matrix["rows"] if r["id"] == claim_id)


def test_the_matrix_has_claims_as_rows_and_interpreters_as_columns(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    old = write(tmp_path, "py310.json", on_python(report, "3.10.13"))
    new = write(tmp_path, "py313.json", on_python(report, "3.13.0"))

    matrix = merged(tmp_path, old, new)

    assert [c["label"] for c in matrix["columns"]] == ["CPython 3.10.13", "CPython 3.13.0"]
    assert [r["id"] for r in matrix["rows"]] == [c["id"] for c in report["claims"]]
    cells = row(matrix, "CF-7")["cells"]
    assert [(c["verdict"], c["outcome"]) for c in cells] == [("erratum", "confirmed")] * 2
    assert [c["outcome"] for c in row(matrix, "BAS-3")["cells"]] == ["no spec", "no spec"]


def test_a_claim_whose_verdict_differs_between_interpreters_stands_out(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    new = on_python(report, "3.13.0")
    claim(new, "BAS-1")["verdict_here"] = "erratum"
    paths = [write(tmp_path, "old.json", report), write(tmp_path, "new.json", new)]

    matrix = merged(tmp_path, *paths)
    assert main(["merge", *map(str, paths), "-o", str(tmp_path / "m.md")]) == 0
    assert main(["merge", *map(str, paths), "-o", str(tmp_path / "m.html")]) == 0

    assert [r["id"] for r in matrix["rows"] if r["differs"]] == ["BAS-1"]
    markdown = (tmp_path / "m.md").read_text("utf-8")
    assert "| **BAS-1** **differs** " in markdown
    assert markdown.count("**differs**") == 1
    page = (tmp_path / "m.html").read_text("utf-8")
    assert '<tr id="BAS-1" class="differs">' in page
    assert page.count('class="differs"') == 1


def test_an_untested_claim_does_not_count_as_differing(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    new = on_python(report, "3.13.0")
    claim(new, "CF-7").update(verdict_here="holds", outcome="untested")

    matrix = merged(tmp_path, write(tmp_path, "a.json", report), write(tmp_path, "b.json", new))

    assert row(matrix, "CF-7")["differs"] is False


def test_a_folder_stands_for_the_reports_in_it_but_not_an_earlier_matrix(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    write(folder, "py311.json", on_python(report, "3.11.7"))
    write(folder, "py312.json", on_python(report, "3.12.1"))
    assert main(["merge", str(folder), "-o", str(folder / "matrix.json")]) == 0

    again = merged(tmp_path, folder)

    assert [c["label"] for c in again["columns"]] == ["CPython 3.11.7", "CPython 3.12.1"]


def test_runs_of_one_interpreter_are_told_apart_by_what_they_selected(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    fork, spawn = copy.deepcopy(report), copy.deepcopy(report)
    fork["run"]["start_methods"], spawn["run"]["start_methods"] = ["fork"], ["spawn"]

    matrix = merged(tmp_path, write(tmp_path, "f.json", fork), write(tmp_path, "s.json", spawn))

    version = report["interpreter"]["version"]
    version += "t" if report["interpreter"]["free_threaded_build"] else ""  # as the label says
    flavours = ", ".join(report["run"]["loop_flavours"])
    assert [c["label"] for c in matrix["columns"]] == [
        f"CPython {version} (fork, {flavours})",
        f"CPython {version} (spawn, {flavours})",
    ]


def test_verdicts_that_depend_on_a_start_method_are_named_in_the_cell(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    claim(report, "CF-7").update(
        verdict_here="conditional",
        verdicts_by_condition={"process-fork": "erratum", "process-spawn": "holds"},
    )
    path = write(tmp_path, "r.json", report)

    assert main(["merge", str(path), "-o", str(tmp_path / "m.md")]) == 0

    markdown = (tmp_path / "m.md").read_text("utf-8")
    assert "| conditional (erratum: process-fork; holds: process-spawn), confirmed |" in markdown


def test_claims_missing_from_a_report_are_marked_gaps(
    tmp_path: Path, report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    older = on_python(report, "3.10.13")
    older["plugin_version"] = "0.0.9"
    older["claims"] = [c for c in older["claims"] if c["id"] not in ("CF-7", "EX-1")]
    newer = copy.deepcopy(report)
    newer["claims"].append({**claim(report, "CF-7"), "id": "CF-99", "text": "A newer claim."})
    paths = [write(tmp_path, "older.json", older), write(tmp_path, "newer.json", newer)]

    matrix = merged(tmp_path, *paths)
    assert main(["merge", *map(str, paths), "-o", str(tmp_path / "m.html")]) == 0

    assert [c["outcome"] for c in row(matrix, "CF-7")["cells"]] == ["not in report", "confirmed"]
    assert [c["outcome"] for c in row(matrix, "CF-99")["cells"]] == ["not in report", "confirmed"]
    cf_rows = [r["id"] for r in matrix["rows"] if r["section"] == "CF"]
    assert cf_rows[-1] == "CF-99"
    assert [c["plugin_version"] for c in matrix["columns"]] == ["0.0.9", report["plugin_version"]]
    errors = capsys.readouterr().err
    assert "warning: reports come from different plugin versions" in errors
    assert "older.json has no entry for 3 claim(s): CF-7, CF-99, EX-1" in errors
    page = (tmp_path / "m.html").read_text("utf-8")
    assert page.count('<td class="cell o-gap">not in report</td>') == 3


def test_a_report_of_another_schema_version_is_a_clear_error(
    tmp_path: Path, report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    future = {**report, "schema_version": 2, "plugin_version": "9.0.0"}
    paths = [write(tmp_path, "now.json", report), write(tmp_path, "future.json", future)]

    status = main(["merge", *map(str, paths), "-o", str(tmp_path / "m.html")])

    assert status == 2
    error = capsys.readouterr().err
    assert "future.json: claims report schema version 2" in error
    assert "pytest-concurrency-specs 9.0.0" in error
    assert "reads schema version 1 only" in error
    assert not (tmp_path / "m.html").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"claims": []}', "not a claims report"),
        ("[1, 2]", "not a claims report"),
    ],
)
def test_a_file_that_is_not_a_report_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, "utf-8")

    assert main(["merge", str(bad), "-o", str(tmp_path / "m.html")]) == 2

    assert f"bad.json: {message}" in capsys.readouterr().err


def test_a_report_cut_short_is_a_clear_error(
    tmp_path: Path, report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    del report["claims"][3]["outcome"]
    path = write(tmp_path, "cut.json", report)

    assert main(["merge", str(path), "-o", str(tmp_path / "m.html")]) == 2

    assert "cut.json: claim #4 lacks outcome" in capsys.readouterr().err


def test_an_unknown_output_extension_is_a_usage_error(
    tmp_path: Path, report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "r.json", report)

    assert main(["merge", str(path), "-o", str(tmp_path / "m.pdf")]) == 2

    assert "accepted extensions: .json, .md, .html" in capsys.readouterr().err


def test_the_command_line_runs_as_a_module(tmp_path: Path, report: dict[str, Any]) -> None:
    path = write(tmp_path, "r.json", report)

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest_concurrency.claims.cli",
            "merge",
            str(path),
            "-o",
            str(tmp_path / "m.md"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {tmp_path / 'm.md'} (")


def test_the_console_script_is_declared() -> None:
    scripts = importlib.metadata.entry_points(group="console_scripts", name="concurrency-claims")

    assert [script.value for script in scripts] == ["pytest_concurrency.claims.cli:main"]


SENSITIVITY = {
    "schema": "pytest-concurrency-sensitivity/1",
    "python": "3.12.1",
    "implementation": "cpython",
    "alterations": [
        {
            "name": "default_max_workers_five_per_cpu",
            "claims": ["CF-7"],
            "caught": ["CF-7"],
            "seconds": 1.5,
            "outcome": "caught",
            "reason": "",
        },
    ],
    "claims": {
        "CF-7": {"caught_by": ["default_max_workers_five_per_cpu"], "interpreter": "3.12.1"}
    },
}


def test_the_sensitivity_record_says_per_claim_what_showed_its_specs_fail(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    """merge --sensitivity: each claim names the alterations that made its specs fail, or says
    "not shown to fail", in every format; the summary counts those not shown."""
    run = write(tmp_path, "py312.json", report)
    (tmp_path / "sensitivity").mkdir()
    record = write(tmp_path / "sensitivity", "sensitivity.json", SENSITIVITY)
    outputs = [tmp_path / f"matrix.{ext}" for ext in ("json", "md", "html")]
    args = ["merge", str(run), "--sensitivity", str(record)]

    assert main([*args, *(a for o in outputs for a in ("-o", str(o)))]) == 0

    matrix = json.loads(outputs[0].read_text("utf-8"))
    assert row(matrix, "CF-7")["sensitivity"]["caught_by"] == ["default_max_workers_five_per_cpu"]
    assert row(matrix, "BAS-1")["sensitivity"]["text"] == "not shown to fail"
    total = len(matrix["rows"])
    assert len(matrix["sensitivity"]["not_shown_to_fail"]) == total - 1
    markdown = outputs[1].read_text("utf-8")
    assert "shown to fail by 1 alteration: default_max_workers_five_per_cpu |" in markdown
    assert f"Shown to fail by an alteration of the interpreter (3.12.1): 1 of {total}" in markdown
    html = outputs[2].read_text("utf-8")
    assert '<td class="sensitivity">not shown to fail</td>' in html


def test_a_file_that_is_not_a_sensitivity_record_is_a_usage_error(
    tmp_path: Path, report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The message names the file and what writes a record."""
    run = write(tmp_path, "py312.json", report)

    status = main(["merge", str(run), "--sensitivity", str(run), "-o", str(tmp_path / "m.md")])

    assert status == 2
    assert "not a sensitivity record" in capsys.readouterr().err


def test_a_missing_sensitivity_record_is_said_and_the_matrix_still_written(
    tmp_path: Path, report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """tox -e py312,matrix without the altered env: a warning, and a matrix without the
    column."""
    run = write(tmp_path, "py312.json", report)
    missing = tmp_path / "sensitivity.json"

    status = main(["merge", str(run), "--sensitivity", str(missing), "-o", str(tmp_path / "m.md")])

    assert status == 0
    assert f"no sensitivity record at {missing}" in capsys.readouterr().err
    assert "shown to fail" not in (tmp_path / "m.md").read_text("utf-8")


HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">[click](javascript:alert(3))|'


def hostile(value: Any, key: str = "") -> Any:
    """Every string of a report (but its schema name) replaced by markup and a link."""
    if isinstance(value, dict):
        return {k: hostile(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [hostile(v, key) for v in value]
    if isinstance(value, str) and key not in WORDS:
        return value + HOSTILE
    return value


# The fields that hold a word from a fixed list; a report with another word there is refused.
WORDS = {"schema", "outcome", "verdict", "verdict_here", "verdicts_by_condition"}


def test_a_hostile_report_shows_as_text_in_every_format(
    tmp_path: Path, report: dict[str, Any]
) -> None:
    """Reports are data, never markup: a report whose every string carries a script, an image
    with a handler and a javascript: link merges into a Markdown and an HTML matrix with none
    of them live."""
    run = write(tmp_path, "hostile.json", hostile(report))
    outputs = [tmp_path / "matrix.md", tmp_path / "matrix.html"]

    assert main(["merge", str(run), *(a for o in outputs for a in ("-o", str(o)))]) == 0

    for output in outputs:
        text = output.read_text("utf-8").lower()
        assert "<script" not in text, output.name
        assert "<img" not in text, output.name  # so its handler is text too
    markdown = outputs[0].read_text("utf-8")
    assert re.search(r"(?<!\\)\]\(javascript:", markdown) is None  # no live link
    assert "&lt;script&gt;" in outputs[0].read_text("utf-8")  # shown, as text


def test_a_report_with_an_unknown_outcome_is_refused_naming_the_field(
    tmp_path: Path, report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The words that become part of the pages (outcomes, verdicts) must be known ones."""
    broken = copy.deepcopy(report)
    broken["claims"][0]["outcome"] = "confirmed" + HOSTILE
    run = write(tmp_path, "broken.json", broken)

    status = main(["merge", str(run), "-o", str(tmp_path / "m.html")])

    assert status == 2
    assert "claim #1 has outcome 'confirmed<script>" in capsys.readouterr().err
