"""Claims by interpreter: the reports of one or more runs, side by side.

A :class:`Matrix` has one :class:`Column` per report (an interpreter, and the start methods or
loop flavours the run selected when two reports of the same interpreter differ in them) and one
:class:`Row` per claim. A cell is the claim's verdict and outcome in that run; when the verdict
depends on a start method or flavour within the run, the cell names the verdict under each.
A claim one report does not know (another plugin version, a different catalogue) gets a gap
cell, marked as such; a row whose tested verdicts differ between columns is marked ``differs``.

The Markdown and HTML renderers draw a matrix; a single run's report is a matrix of one column.
:meth:`Matrix.to_json` gives the merged JSON (``"schema": "pytest-concurrency-specs/
claims-matrix"``, ``schema_version`` 1: ``columns`` with label, source, interpreter, run,
plugin_version; ``rows`` with id, section, text, differs, notes, specs and one cell per column:
verdict, outcome, verdicts_by_condition, skip_reasons, note).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .catalogue import LANGUAGES, Claim
from .interpreter import label
from .ledger import OUTCOMES, conditions_text, exploration_text, skipped_text, spec_function
from .sensitivity import Sensitivity

__all__ = ["GAP", "MATRIX_SCHEMA", "TESTED", "Cell", "Column", "Matrix", "Row", "SpecLink"]

MATRIX_SCHEMA = "pytest-concurrency-specs/claims-matrix"
#: The outcome of a cell whose report does not have the claim.
GAP = "not in report"
#: Outcomes that mean the verdict was tested on that interpreter.
TESTED = ("confirmed", "contradicted")


@dataclass(frozen=True)
class Column:
    """One run: where its report came from and what it ran on."""

    label: str
    source: str
    interpreter: dict[str, Any]
    run: dict[str, Any]
    plugin_version: str


@dataclass(frozen=True)
class Cell:
    """One claim in one run."""

    verdict: str | None
    outcome: str
    verdicts_by_condition: dict[str, str] = field(default_factory=dict)
    skip_reasons: list[str] = field(default_factory=list)
    note: str = ""
    skipped: list[str] = field(default_factory=list)  # reasons of the specs skipped not by guard
    explored: list[str] = field(default_factory=list)  # "6 orders: 1 in 4, 2 in 2", per run

    @property
    def gap(self) -> bool:
        return self.outcome == GAP

    @property
    def text(self) -> str:
        """The cell in words: ``erratum, confirmed``; ``no spec``; ``not run``; ``not in
        report``."""
        if self.outcome in ("no spec", "not run", GAP):
            return self.outcome
        verdict = self.verdict or "no verdict"
        if self.verdicts_by_condition:
            verdict += f" ({conditions_text(self.verdicts_by_condition)})"
        skipped = skipped_text(len(self.skipped), self.skipped, self.outcome)
        return f"{verdict}, {self.outcome}" + (f", {skipped}" if skipped else "")


@dataclass(frozen=True)
class SpecLink:
    """A spec function (all its parameter sets): where to read it."""

    name: str
    file: str
    line: int
    rootdir: str

    def href(self, from_dir: Path) -> str:
        """A link to the spec's line, relative to ``from_dir`` (where the report is written)."""
        target = Path(self.rootdir, self.file)
        try:
            relative = os.path.relpath(target, from_dir)
        except ValueError:  # another drive on Windows
            relative = str(target)
        return f"{Path(relative).as_posix()}#L{self.line}"


@dataclass
class Row:
    """One claim across the runs."""

    id: str
    section: str
    text: str
    cells: list[Cell]
    specs: list[SpecLink] = field(default_factory=list)
    note_lines: list[int] = field(default_factory=list)  # the lines of the note it comes from
    text_ko: str = ""  # the claim in Korean (shown when the matrix's language is ko)

    @property
    def note_lines_text(self) -> str:
        """``note line 53``, ``note lines 98-99`` (``""`` without lines)."""
        return Claim(self.id, self.section, "", "", tuple(self.note_lines)).note_lines_text

    @property
    def differs(self) -> bool:
        """Whether the verdict tested in one run differs from that tested in another."""
        tested = {
            (c.verdict, tuple(c.verdicts_by_condition.items()))
            for c in self.cells
            if c.outcome in TESTED
        }
        return len(tested) > 1

    @property
    def notes(self) -> list[str]:
        """The distinct notes of the runs, in column order."""
        return list(dict.fromkeys(c.note for c in self.cells if c.note))


@dataclass
class Matrix:
    """Claims as rows, runs as columns."""

    columns: list[Column]
    sections: dict[str, str]
    rows: list[Row]
    warnings: list[str] = field(default_factory=list)
    #: Which alterations showed each claim's specs fail (``merge --sensitivity``), if given.
    sensitivity: Sensitivity | None = None
    #: The language the claims' text is shown in (``en``, ``ko``).
    language: str = "en"
    #: Where the claims book is published (``merge --book-url``): the HTML matrix links each
    #: claim ID to its page there; empty, to its first spec.
    book_url: str = ""

    def text_of(self, row: Row) -> str:
        """The row's claim in the matrix's language (English where no Korean text exists)."""
        return row.text_ko if self.language == "ko" and row.text_ko else row.text

    def not_shown_to_fail(self) -> list[str]:
        """The claims no alteration has shown to fail (empty without a sensitivity record)."""
        if self.sensitivity is None:
            return []
        return self.sensitivity.not_shown([row.id for row in self.rows])

    @classmethod
    def from_reports(
        cls, reports: list[tuple[str, dict[str, Any]]], language: str | None = None
    ) -> Matrix:
        """A matrix from checked reports (see :func:`report_json.load`), each with its source;
        the claims in ``language`` (by default, that of the first report's run)."""
        columns = _columns(reports)
        sections: dict[str, str] = {}
        rows: dict[str, Row] = {}
        for _, document in reports:
            for section in document["sections"]:
                sections.setdefault(str(section["id"]), str(section["title"]))
            for claim in document["claims"]:
                if claim["id"] not in rows:
                    rows[claim["id"]] = Row(
                        claim["id"],
                        claim["section"],
                        claim["text"],
                        [],
                        note_lines=[int(n) for n in claim.get("note_lines") or []],
                        text_ko=str(claim.get("text_ko") or ""),
                    )
                    sections.setdefault(claim["section"], claim["section"])
        for _, document in reports:
            by_id = {claim["id"]: claim for claim in document["claims"]}
            for row in rows.values():
                claim = by_id.get(row.id)
                row.cells.append(_cell(claim) if claim else Cell(None, GAP))
                for spec in claim["specs"] if claim else []:
                    link = SpecLink(
                        spec_function(spec["nodeid"]),
                        spec["file"],
                        spec["line"],
                        str(document.get("rootdir", ".")),
                    )
                    if all(s.name != link.name or s.file != link.file for s in row.specs):
                        row.specs.append(link)
        order = list(sections)
        ordered = sorted(rows.values(), key=lambda r: order.index(r.section))
        matrix = cls(columns, sections, ordered)
        if language is None and reports:
            language = str((reports[0][1].get("run") or {}).get("claims_language") or "en")
        matrix.language = language if language in LANGUAGES else "en"
        matrix.warnings = _warnings(reports, matrix)
        return matrix

    def rows_in(self, section: str) -> list[Row]:
        return [row for row in self.rows if row.section == section]

    def counts(self, column: int) -> Counter[str]:
        """Outcomes of one column, in the order summaries list them."""
        found = Counter(row.cells[column].outcome for row in self.rows)
        order = [*OUTCOMES, GAP]
        return Counter({o: found[o] for o in sorted(found, key=lambda o: order.index(o))})

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": MATRIX_SCHEMA,
            "schema_version": 1,
            "columns": [asdict(c) for c in self.columns],
            "sections": [{"id": k, "title": v} for k, v in self.sections.items()],
            "warnings": self.warnings,
            "sensitivity": (
                {
                    "source": self.sensitivity.source,
                    "interpreters": self.sensitivity.interpreters,
                    "not_shown_to_fail": self.not_shown_to_fail(),
                }
                if self.sensitivity
                else None
            ),
            "rows": [
                {
                    "id": row.id,
                    "section": row.section,
                    "text": row.text,
                    "text_ko": row.text_ko,
                    "note_lines": row.note_lines,
                    "differs": row.differs,
                    "notes": row.notes,
                    "specs": [{"name": s.name, "file": s.file, "line": s.line} for s in row.specs],
                    "cells": [asdict(c) for c in row.cells],
                    "sensitivity": (self.sensitivity.to_json(row.id) if self.sensitivity else None),
                }
                for row in self.rows
            ],
        }


def _cell(claim: dict[str, Any]) -> Cell:
    return Cell(
        claim.get("verdict_here"),
        str(claim.get("outcome", "?")),
        dict(claim.get("verdicts_by_condition") or {}),
        list(claim.get("skip_reasons") or []),
        str(claim.get("note") or ""),
        [str(spec.get("skip_reason", "")) for spec in claim.get("skipped_specs") or []],
        list(
            dict.fromkeys(
                exploration_text(e) for e in claim.get("explorations") or [] if isinstance(e, dict)
            )
        ),
    )


def _columns(reports: list[tuple[str, dict[str, Any]]]) -> list[Column]:
    names = [label(document["interpreter"]) for _, document in reports]
    labels = list(names)
    for index, (_, document) in enumerate(reports):
        if names.count(names[index]) > 1:  # same interpreter twice: name what the run chose
            run = document.get("run") or {}
            chosen = [*run.get("start_methods", []), *run.get("loop_flavours", [])]
            labels[index] += f" ({', '.join(chosen)})" if chosen else ""
    named = list(labels)
    for index, (source, _) in enumerate(reports):
        if named.count(named[index]) > 1:
            labels[index] += f" [{Path(source).name}]"
    return [
        Column(
            labels[i],
            source,
            dict(document["interpreter"]),
            dict(document.get("run") or {}),
            str(document.get("plugin_version", "?")),
        )
        for i, (source, document) in enumerate(reports)
    ]


def _warnings(reports: list[tuple[str, dict[str, Any]]], matrix: Matrix) -> list[str]:
    warnings = []
    versions = {str(d.get("plugin_version", "?")) for _, d in reports}
    if len(versions) > 1:
        warnings.append(
            "reports come from different plugin versions ("
            + ", ".join(f"{Path(s).name}: {d.get('plugin_version', '?')}" for s, d in reports)
            + "); their catalogues may differ"
        )
    for index, column in enumerate(matrix.columns):
        gaps = [row.id for row in matrix.rows if row.cells[index].gap]
        if gaps:
            warnings.append(
                f"{column.source} has no entry for {len(gaps)} claim(s): {', '.join(gaps)} "
                f"(marked '{GAP}')"
            )
    # Explored counts are schedules of named steps: the same on every interpreter, unless the
    # interpreter behaves differently. A difference is a finding.
    differing = [
        row.id
        for row in matrix.rows
        if len({tuple(sorted(c.explored)) for c in row.cells if c.explored}) > 1
    ]
    if differing:
        warnings.append(
            "explored counts differ between runs (a finding: the same schedules gave other "
            f"outcomes): {', '.join(differing)}"
        )
    return warnings
