"""The claims report (or matrix) as Markdown: one table per section, one row per claim.

Readable as plain text: verdicts and outcomes are words, a claim whose verdict differs between
interpreters is marked **differs**, and each claim links to the lines of its specs.
"""

from __future__ import annotations

from pathlib import Path

from .matrix import Cell, Matrix, Row

__all__ = ["render"]


def render(matrix: Matrix, out_dir: Path) -> str:
    """The Markdown text; links are relative to ``out_dir``, where the file is written."""
    lines = ["# Claims of the concurrency note", ""]
    lines += ["| run | report | GIL | platform | start methods | loop flavours | plugin |"]
    lines += ["|---|---|---|---|---|---|---|"]
    for column in matrix.columns:
        i = column.interpreter
        lines.append(
            f"| {column.label} | {Path(column.source).name} | {i.get('gil', '?')} "
            f"| {i.get('platform', '?')} | "
            f"{', '.join(i.get('start_methods', []))} | {', '.join(i.get('loop_flavours', []))} "
            f"| {column.plugin_version} |"
        )
    lines.append("")
    for warning in matrix.warnings:
        lines.append(f"> **Note:** {_escape(warning)}")
        lines.append("")
    for index, column in enumerate(matrix.columns):
        counts = matrix.counts(index)
        lines.append(
            f"- {column.label}: " + ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        )
    lines.append("")
    differing = [row.id for row in matrix.rows if row.differs]
    if len(matrix.columns) > 1:
        lines += [f"Verdict differs between runs: {', '.join(differing) or 'none'}", ""]
    header = ["claim", *(c.label for c in matrix.columns), "note", "specs"]
    for section, title in matrix.sections.items():
        rows = matrix.rows_in(section)
        if not rows:
            continue
        lines += [f"## {section}: {_escape(title)}", ""]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += [_row(row, out_dir) for row in rows]
        lines.append("")
    return "\n".join(lines)


def _row(row: Row, out_dir: Path) -> str:
    claim = f"**{row.id}**" + (" **differs**" if row.differs else "") + f" {_escape(row.text)}"
    specs = "<br>".join(f"[{s.name}]({s.href(out_dir)})" for s in row.specs) or "no spec"
    cells = [_cell(cell) for cell in row.cells]
    return "| " + " | ".join([claim, *cells, _escape(" / ".join(row.notes)), specs]) + " |"


def _cell(cell: Cell) -> str:
    text = _escape(cell.text)
    if cell.outcome == "contradicted":
        text = f"**{text}**"
    if cell.outcome == "untested" and cell.skip_reasons:
        text += " (skipped: " + _escape("; ".join(cell.skip_reasons)) + ")"
    return text


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
