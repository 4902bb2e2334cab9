"""Writing a claims report or matrix to a file, in the format its extension names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import report_html, report_json, report_md
from .ledger import Ledger
from .matrix import Matrix

__all__ = ["FORMATS", "check_path", "write_matrix", "write_report", "write_run_report"]

#: The extensions a report can be written with.
FORMATS = (".json", ".md", ".html")


def check_path(text: str, option: str = "--claims-report") -> Path:
    """The path, if its extension is a known format; a :class:`ValueError` names the formats."""
    path = Path(text)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(
            f"{option}={text}: unknown report format {path.suffix or '(no extension)'!r}; "
            f"accepted extensions: {', '.join(FORMATS)} (e.g. {option}=claims.html)"
        )
    return path


def write_run_report(path: Path, ledger: Ledger, run: dict[str, Any], rootdir: Path) -> None:
    """Write the report of this run: its ledger, and ``run``, what the run selected
    (``start_methods``, ``executor_kinds``, ``loop_flavours``) and how it ended
    (``exit_status``, ``interrupted``, ``interrupted_reason``)."""
    write_report(path, report_json.build(ledger, run, rootdir))


def write_report(path: Path, document: dict[str, Any]) -> None:
    """Write one run's report (a JSON document from :func:`report_json.build`)."""
    if path.suffix.lower() == ".json":
        _write(path, json.dumps(document, indent=2) + "\n")
    else:
        write_matrix(path, Matrix.from_reports([(str(path), document)]))


def write_matrix(path: Path, matrix: Matrix) -> None:
    """Write a matrix of one or more runs."""
    suffix = check_path(str(path), "output").suffix.lower()
    out_dir = path.resolve().parent
    if suffix == ".json":
        text = json.dumps(matrix.to_json(), indent=2) + "\n"
    elif suffix == ".md":
        text = report_md.render(matrix, out_dir)
    else:
        text = report_html.render(matrix, out_dir)
    _write(path, text)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
