"""The claims report (or matrix) as Markdown: one table per section, one row per claim.

Readable as plain text: verdicts and outcomes are words, a claim whose verdict differs between
interpreters is marked **differs**, and each claim links to the lines of its specs.

Reports are data, never markup: a report may come from someone else's machine, and a Markdown
renderer (MyST included) passes raw HTML through. Every string a report brings is escaped
(:func:`_escape`): HTML's ``<``, ``>`` and ``&`` become entities, and the characters that make
Markdown links and table cells are backslash-escaped, so it shows as the text it is.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection
from pathlib import Path

from .matrix import Cell, Matrix, Row

__all__ = ["escape_chars", "render"]


def render(matrix: Matrix, out_dir: Path) -> str:
    """The Markdown text; links are relative to ``out_dir``, where the file is written."""
    lines = ["# Claims of the concurrency note", ""]
    lines += ["| run | report | GIL | platform | start methods | loop flavours | plugin |"]
    lines += ["|---|---|---|---|---|---|---|"]
    for column in matrix.columns:
        i = column.interpreter
        lines.append(
            "| "
            + " | ".join(
                _escape(str(text))
                for text in (
                    column.label,
                    Path(column.source).name,
                    i.get("gil", "?"),
                    i.get("platform", "?"),
                    ", ".join(map(str, i.get("start_methods", []))),
                    ", ".join(map(str, i.get("loop_flavours", []))),
                    column.plugin_version,
                )
            )
            + " |"
        )
    lines.append("")
    for warning in matrix.warnings:
        lines.append(f"> **Note:** {_escape(warning)}")
        lines.append("")
    for index, column in enumerate(matrix.columns):
        counts = matrix.counts(index)
        lines.append(
            f"- {_escape(column.label)}: "
            + ", ".join(f"{n} {_escape(outcome)}" for outcome, n in counts.items())
        )
    lines.append("")
    if matrix.sensitivity is not None:
        not_shown = matrix.not_shown_to_fail()
        lines += [
            f"Shown to fail by an alteration of the interpreter "
            f"({_escape(', '.join(matrix.sensitivity.interpreters))}): "
            f"{len(matrix.rows) - len(not_shown)} of {len(matrix.rows)} claims; "
            f"not shown to fail: {_escape(', '.join(not_shown)) or 'none'}",
            "",
        ]
    differing = [row.id for row in matrix.rows if row.differs]
    if len(matrix.columns) > 1:
        lines += [f"Verdict differs between runs: {_escape(', '.join(differing)) or 'none'}", ""]
    header = ["claim", *(_escape(c.label) for c in matrix.columns), "note", "specs"]
    if matrix.sensitivity is not None:
        header.append("shown to fail")
    for section, title in matrix.sections.items():
        rows = matrix.rows_in(section)
        if not rows:
            continue
        lines += [f"## {_escape(section)}: {_escape(title)}", ""]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += [_row(row, out_dir, matrix) for row in rows]
        lines.append("")
    return "\n".join(lines)


def _row(row: Row, out_dir: Path, matrix: Matrix) -> str:
    claim = (
        f"**{_escape(row.id)}**"
        + (" **differs**" if row.differs else "")
        + f" {_escape(matrix.text_of(row))}"
    )
    if row.note_lines:
        claim += f" ({row.note_lines_text})"
    specs = (
        "<br>".join(f"[{_escape(s.name)}]({_escape_target(s.href(out_dir))})" for s in row.specs)
        or "no spec"
    )
    cells = [_cell(cell) for cell in row.cells]
    columns = [claim, *cells, _escape(" / ".join(row.notes)), specs]
    if matrix.sensitivity is not None:
        columns.append(_escape(matrix.sensitivity.text(row.id)))
    return "| " + " | ".join(columns) + " |"


def _cell(cell: Cell) -> str:
    text = _escape(cell.text)
    if cell.outcome == "contradicted":
        text = f"**{text}**"
    if cell.outcome == "untested" and cell.skip_reasons:
        text += " (skipped: " + _escape("; ".join(cell.skip_reasons)) + ")"
    if cell.explored:
        text += "<br>explored: " + _escape("; ".join(cell.explored))
    return text


_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# What makes a link or an image ([...](...)), a new cell (|), or undoes an escape (\). Code
# spans and emphasis stay: they cannot carry markup or a link, and the catalogue's own texts
# use code spans. A cell never starts a line, so "#" and "- " cannot make a heading or list.
_MARKDOWN = set("\\[]|")


def escape_chars(text: str, backslashed: Collection[str]) -> str:
    """``text`` with HTML's ``< > &`` as entities and each of ``backslashed`` escaped with a
    backslash: the one escaper of the Markdown this package writes (reports, the book)."""
    out = []
    for char in text:
        if char in _HTML:
            out.append(_HTML[char])
        elif char in backslashed:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _escape(text: str) -> str:
    """``text`` as text in a Markdown table cell: no HTML, no link, no emphasis, one line."""
    return escape_chars(" ".join(text.splitlines()), _MARKDOWN)


def _escape_target(href: str) -> str:
    """A link target that nothing in it can end early or turn into markup."""
    return urllib.parse.quote(href.replace("\n", ""), safe="/#:.-_~%+,;=@")
