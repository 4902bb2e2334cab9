"""Conformance: the contract specs on several implementations, side by side.

``concurrency-claims conformance --implementations thread,loky,dask,asyncio,uvloop,rloop``
runs ``pytest <specs> --conformance=<implementation>`` once per implementation (an executor
kind or a loop flavour), in a subprocess each, and writes:

* the claims x implementations matrix (HTML, Markdown, JSON: the interpreter matrix of
  :mod:`.matrix`, with one column per implementation);
* per implementation, the specs that fail on it (its differences from CPython), with the
  failing assertion in one line and the claims each spec checks;
* the comparison with the expected differences in ``conformance/expected/<name>.toml`` (like
  ruby/spec's tags): a difference not listed, or a listed one that passes now, makes the
  command exit with status 1, so CI fails when a difference appears or goes away.

An expected-differences file::

    implementation = "loky"

    [[difference]]
    spec = "specs/concurrent_futures/test_submit.py::test_x"   # the nodeid, without [loky]
    reason = "why loky differs, in a sentence"
"""

from __future__ import annotations

import dataclasses
import html
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .files import write_matrix
from .matrix import TESTED, Matrix
from .report_json import ReportError, load

__all__ = [
    "Check",
    "Expected",
    "Outcome",
    "Result",
    "check",
    "differences_markdown",
    "load_expected",
    "main",
    "matrix_of",
    "run",
    "spec_key",
    "summary",
    "write",
]


@dataclass(frozen=True)
class Outcome:
    """One spec on one implementation."""

    key: str  # the nodeid without the implementation's parameter
    outcome: str  # passed, failed, skipped
    message: str = ""  # the failing assertion, or the skip reason, in one line


@dataclass
class Result:
    """One implementation's run."""

    name: str
    exit_status: int
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    report: dict[str, Any] | None = None
    report_path: str = ""

    @property
    def differences(self) -> dict[str, Outcome]:
        return {k: o for k, o in self.outcomes.items() if o.outcome == "failed"}

    @property
    def unavailable(self) -> str | None:
        """Why nothing ran, if nothing did (the package is missing, say)."""
        if any(o.outcome in ("passed", "failed") for o in self.outcomes.values()):
            return None
        reasons = sorted({o.message for o in self.outcomes.values() if o.message})
        return "; ".join(reasons) or "no contract spec ran on it"


@dataclass(frozen=True)
class Expected:
    """The differences CI expects of one implementation: ``{spec key: reason}``."""

    name: str
    differences: dict[str, str]
    source: str = ""


def spec_key(nodeid: str, implementation: str) -> str:
    """``path::test[loky]`` -> ``path::test``; ``path::test[loky-2]`` -> ``path::test[2]``."""
    if not nodeid.endswith("]") or "[" not in nodeid:
        return nodeid
    base, _, params = nodeid[:-1].partition("[")
    if params == implementation:
        return base
    if params.startswith(f"{implementation}-"):
        params = params.removeprefix(f"{implementation}-")
    elif params.endswith(f"-{implementation}"):
        params = params.removesuffix(f"-{implementation}")
    else:
        params = params.replace(f"-{implementation}-", "-")
    return f"{base}[{params}]"


def _one_line(text: str, limit: int = 200) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    # pytest's failure messages start with the assertion; "E   " lines carry the detail.
    line = next((ln for ln in lines if ln.startswith(("assert", "AssertionError", "E "))), "")
    line = (line or (lines[0] if lines else "")).removeprefix("E").strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _junit_outcomes(path: Path, implementation: str) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    if not path.is_file():
        return outcomes
    for case in ElementTree.parse(path).iter("testcase"):
        file = case.get("file") or ""
        classname = case.get("classname") or ""
        module = file.removesuffix(".py").replace("/", ".")
        classes = classname.removeprefix(module).strip(".")
        nodeid = "::".join(p for p in (file, *classes.split("."), case.get("name", "")) if p)
        key = spec_key(nodeid, implementation)
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        skipped = case.find("skipped")
        if failure is not None:
            text = failure.get("message") or failure.text or ""
            outcomes[key] = Outcome(key, "failed", _one_line(text))
        elif skipped is not None:
            outcomes[key] = Outcome(key, "skipped", _one_line(skipped.get("message") or ""))
        else:
            outcomes[key] = Outcome(key, "passed")
    return outcomes


def run(
    implementation: str,
    workdir: Path,
    specs: Sequence[str] = ("specs",),
    pytest_args: Sequence[str] = (),
    python: str = sys.executable,
) -> Result:
    """Run the contract specs on one implementation in a subprocess."""
    report = workdir / f"{implementation}.json"
    junit = workdir / f"{implementation}.xml"
    command = [
        python,
        "-m",
        "pytest",
        *specs,
        f"--conformance={implementation}",
        f"--claims-report={report}",
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit1",
        "-p",
        "no:cacheprovider",
        "-q",
        *pytest_args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1, 5):  # 5: no test ran on it
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(
            f"pytest on {implementation!r} ended with status {done.returncode}:\n{tail}"
        )
    result = Result(implementation, done.returncode, _junit_outcomes(junit, implementation))
    if report.is_file():
        try:
            result.report, result.report_path = load(report), str(report)
        except ReportError:
            result.report = None
    return result


def load_expected(folder: Path, implementation: str) -> Expected | None:
    """The expected differences of ``implementation``, or ``None`` without a file."""
    path = folder / f"{implementation}.toml"
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not TOML: {error}") from None
    if data.get("implementation", implementation) != implementation:
        raise ValueError(
            f"{path}: implementation = {data['implementation']!r}, but the file is named for "
            f"{implementation!r}"
        )
    differences: dict[str, str] = {}
    for entry in data.get("difference", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("spec"), str):
            raise ValueError(f"{path}: every [[difference]] needs spec = '<nodeid>'")
        differences[entry["spec"]] = str(entry.get("reason", ""))
    return Expected(implementation, differences, str(path))


@dataclass(frozen=True)
class Check:
    """How one implementation's differences compare with those expected."""

    name: str
    new: list[str]  # fail now, not listed
    vanished: list[str]  # listed, pass now
    not_run: list[str]  # listed, did not run (skipped or deselected)
    skipped_why: str | None = None  # the whole implementation did not run

    @property
    def ok(self) -> bool:
        return not self.new and not self.vanished


def check(result: Result, expected: Expected | None) -> Check:
    """Compare ``result``'s differences with the expected ones."""
    why = result.unavailable
    if why is not None:
        return Check(result.name, [], [], sorted(expected.differences if expected else []), why)
    listed = dict(expected.differences) if expected else {}
    failing = set(result.differences)
    new = sorted(failing - set(listed))
    vanished = sorted(
        k for k in listed if k in result.outcomes and result.outcomes[k].outcome == "passed"
    )
    not_run = sorted(
        k for k in listed if k not in result.outcomes or result.outcomes[k].outcome == "skipped"
    )
    return Check(result.name, new, vanished, not_run)


def matrix_of(results: Sequence[Result]) -> Matrix:
    """The claims x implementations matrix (claims no implementation tested are left out)."""
    with_reports = [r for r in results if r.report is not None]
    reports = [(r.report_path, r.report) for r in with_reports if r.report is not None]
    matrix = Matrix.from_reports(reports)
    matrix.columns = [
        dataclasses.replace(column, label=result.name)
        for column, result in zip(matrix.columns, with_reports, strict=True)
    ]
    matrix.rows = [r for r in matrix.rows if any(c.outcome in TESTED for c in r.cells)]
    for row in matrix.rows:
        # "no spec" here means no spec of the claim runs on that implementation (an asyncio
        # claim on an executor kind): untested on it, not unspecified.
        row.cells = [
            dataclasses.replace(c, outcome="untested") if c.outcome == "no spec" else c
            for c in row.cells
        ]
    matrix.warnings = []  # gaps and versions: one plugin, one catalogue here
    return matrix


def _claims_of(result: Result) -> dict[str, list[str]]:
    """Spec key -> the claims it checks, from the run's claims report."""
    found: dict[str, list[str]] = {}
    for claim in (result.report or {}).get("claims", []):
        for spec in claim.get("specs", []):
            found.setdefault(spec_key(spec["nodeid"], result.name), []).append(claim["id"])
    return found


def summary(results: Sequence[Result]) -> list[dict[str, Any]]:
    """Per implementation: specs passed/failed/skipped and each difference with its claims."""
    rows = []
    for result in results:
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        for outcome in result.outcomes.values():
            counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        claims = _claims_of(result)
        rows.append(
            {
                "implementation": result.name,
                "unavailable": result.unavailable,
                **counts,
                "differences": [
                    {"spec": k, "claims": claims.get(k, []), "why": o.message}
                    for k, o in sorted(result.differences.items())
                ],
            }
        )
    return rows


def differences_markdown(results: Sequence[Result], checks: Sequence[Check]) -> str:
    """The per-implementation summary and differences, as Markdown."""
    lines = [
        "## Contract specs per implementation",
        "",
        "| implementation | passed | differ | skipped | versus expected |",
        "|---|---:|---:|---:|---|",
    ]
    by_name = {c.name: c for c in checks}
    for row in summary(results):
        state = by_name[row["implementation"]]
        if row["unavailable"]:
            verdict = f"not run: {row['unavailable']}"
        elif state.ok:
            verdict = "as expected"
        else:
            verdict = f"{len(state.new)} new, {len(state.vanished)} gone"
        lines.append(
            f"| {row['implementation']} | {row['passed']} | {row['failed']} | "
            f"{row['skipped']} | {verdict} |"
        )
    for row in summary(results):
        if not row["differences"]:
            continue
        lines += ["", f"### Where {row['implementation']} differs", ""]
        for diff in row["differences"]:
            claims = f" ({', '.join(diff['claims'])})" if diff["claims"] else ""
            why = diff["why"].replace("|", "\\|")
            lines.append(f"- `{diff['spec']}`{claims}: {why}")
    return "\n".join(lines) + "\n"


def write(outputs: Sequence[Path], results: Sequence[Result], checks: Sequence[Check]) -> None:
    """Write the matrix and the differences in the formats the outputs' extensions name."""
    matrix = matrix_of(results)
    for output in outputs:
        write_matrix(output, matrix)
        suffix = output.suffix.lower()
        text = output.read_text("utf-8")
        if suffix == ".json":
            document = json.loads(text)
            document["conformance"] = {
                "implementations": summary(results),
                "expected": [dataclasses.asdict(c) for c in checks],
            }
            output.write_text(json.dumps(document, indent=2) + "\n", "utf-8")
        elif suffix == ".md":
            output.write_text(text + "\n" + differences_markdown(results, checks), "utf-8")
        else:
            section = "<section><pre>" + html.escape(differences_markdown(results, checks))
            section += "</pre></section>\n"
            output.write_text(text.replace("</body>", section + "</body>"), "utf-8")


def main(
    implementations: Sequence[str],
    outputs: Sequence[Path],
    expected_dir: Path,
    specs: Sequence[str],
    pytest_args: Sequence[str],
    workdir: Path | None = None,
) -> int:
    """Run, compare and write; the exit status (0 as expected, 1 a difference changed)."""
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="conformance-") as scratch:
        folder = workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for name in implementations:
            print(f"conformance: {name} ...", flush=True)
            result = run(name, folder, specs, pytest_args)
            results.append(result)
            print(
                f"conformance: {name}: {len(result.differences)} difference(s) in "
                f"{len(result.outcomes)} contract spec(s)"
                + (f" (not run: {result.unavailable})" if result.unavailable else ""),
                flush=True,
            )
        checks = [check(r, load_expected(expected_dir, r.name)) for r in results]
        if outputs:
            write(outputs, results, checks)
    status = 0
    for state in checks:
        for key in state.new:
            why = next(r for r in results if r.name == state.name).outcomes[key].message
            print(f"conformance: NEW difference on {state.name}: {key}: {why}")
            status = 1
        for key in state.vanished:
            print(
                f"conformance: difference GONE on {state.name}: {key} passes now; remove it "
                f"from {expected_dir / (state.name + '.toml')}"
            )
            status = 1
    for output in outputs:
        print(f"wrote {output}")
    return status
