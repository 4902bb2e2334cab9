"""The claims report (or matrix) as one self-contained HTML page.

No external assets: the style sheet is inline and there is no script, so the file works offline
and from any folder. Claims are rows, runs are columns; the cell colour is the verdict (green
holds, red erratum, amber conditional, grey no spec), a contradicted cell has a thick red frame
and a cross, an untested one is striped, a gap is dashed. Sections are collapsible
(``<details>``); each claim links to the file and line of its specs, and its ID to its page
in the claims book when the matrix knows where the book is (``merge --book-url``; a run's own
report stays free of outside links).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .book import book_url
from .ledger import conditions_text, skipped_text
from .matrix import GAP, Cell, Matrix, Row

__all__ = ["COLOURS", "render"]

#: Background colour of a cell, by verdict (exact, so a screenshot can be checked for them).
COLOURS = {
    "holds": "#a8e6a1",
    "erratum": "#f5a3a3",
    "conditional": "#f9d77e",
    "no spec": "#d9d9d9",
}

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1a1a1a; }
h1 { font-size: 1.4em; margin: 0 0 .5em; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid #bbb; padding: .25em .5em; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
summary { font-weight: 600; font-size: 1.1em; cursor: pointer; margin-top: .6em; }
.claim { max-width: 34em; }
.claim .id { font-weight: 700; font-family: ui-monospace, monospace; }
.specs { font-size: .85em; margin-top: .1em; }
.specs summary { font-weight: 400; font-size: 1em; margin: 0; color: #444; }
.specs ul { margin: .2em 0; padding-left: 1.2em; }
.specs li { overflow-wrap: anywhere; }
.specs a { font-family: ui-monospace, monospace; }
.note { max-width: 28em; font-size: .9em; }
.cell { min-width: 7.5em; white-space: nowrap; }
.cell small { display: block; }
.v-holds { background: %(holds)s; }
.v-erratum { background: %(erratum)s; }
.v-conditional { background: %(conditional)s; }
.v-none { background: %(no spec)s; }
.o-contradicted { box-shadow: inset 0 0 0 3px #b00000; font-weight: 700; }
.o-untested { background-image: repeating-linear-gradient(45deg, transparent 0 6px,
  rgba(255,255,255,.6) 6px 12px); font-style: italic; }
.o-gap { background: #fff; border: 2px dashed #888; color: #555; font-style: italic; }
tr.differs td.claim { border-left: 6px solid #6f42c1; }
.badge { display: inline-block; padding: 0 .4em; border-radius: .6em; background: #6f42c1;
  color: #fff; font-size: .8em; font-weight: 600; margin-left: .3em; }
.warning { background: #fff3cd; border: 1px solid #e0c060; padding: .4em .6em; }
.legend span { display: inline-block; padding: .1em .5em; margin-right: .4em;
  border: 1px solid #bbb; }
"""


def render(matrix: Matrix, out_dir: Path) -> str:
    """The page; spec links are relative to ``out_dir``, where the file is written."""
    title = "Claims of the concurrency note"
    if len(matrix.columns) > 1:
        title += f": {len(matrix.columns)} runs"
    parts = [
        "<!doctype html>",
        f'<html lang="{escape(matrix.language)}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{_STYLE % COLOURS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        _legend(),
        _runs(matrix),
        *(f'<p class="warning">{escape(w)}</p>' for w in matrix.warnings),
        _differing(matrix),
        _sensitivity(matrix),
    ]
    for section, section_title in matrix.sections.items():
        rows = matrix.rows_in(section)
        if rows:
            parts.append(_section(matrix, section, section_title, rows, out_dir))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _legend() -> str:
    return (
        '<p class="legend">'
        '<span class="v-holds">holds</span><span class="v-erratum">erratum</span>'
        '<span class="v-conditional">conditional</span><span class="v-none">no spec</span>'
        '<span class="v-holds o-contradicted">✘ contradicted</span>'
        '<span class="v-holds o-untested">untested (skipped)</span>'
        f'<span class="o-gap">{GAP}</span>'
        '<span><span class="badge">differs</span> verdict differs between runs</span></p>'
    )


def _sensitivity(matrix: Matrix) -> str:
    if matrix.sensitivity is None:
        return ""
    not_shown = matrix.not_shown_to_fail()
    links = ", ".join(f'<a href="#{escape(c)}">{escape(c)}</a>' for c in not_shown) or "none"
    where = escape(", ".join(matrix.sensitivity.interpreters))
    shown = len(matrix.rows) - len(not_shown)
    return (
        f"<p>Shown to fail by an alteration of the interpreter ({where}): {shown} of "
        f"{len(matrix.rows)} claims; not shown to fail: {links}</p>"
    )


def _differing(matrix: Matrix) -> str:
    rows = [row for row in matrix.rows if row.differs]
    if len(matrix.columns) < 2:
        return ""
    if not rows:
        return "<p>Every claim tested on more than one run has the same verdict on each.</p>"
    links = ", ".join(f'<a href="#{escape(r.id)}">{escape(r.id)}</a>' for r in rows)
    return f'<p><span class="badge">differs</span> verdict differs between runs: {links}</p>'


def _runs(matrix: Matrix) -> str:
    rows = [
        "<table><tr><th>run</th><th>report</th><th>GIL</th><th>platform</th>"
        "<th>start methods</th><th>loop flavours</th><th>outcomes</th><th>plugin</th></tr>"
    ]
    for index, column in enumerate(matrix.columns):
        i = column.interpreter
        counts = matrix.counts(index)
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{escape(str(text))}</td>"
                for text in (
                    column.label,
                    Path(column.source).name,
                    i.get("gil", "?"),
                    i.get("platform", "?"),
                    ", ".join(i.get("start_methods", [])),
                    ", ".join(i.get("loop_flavours", [])),
                    ", ".join(f"{n} {o}" for o, n in counts.items()),
                    column.plugin_version,
                )
            )
            + "</tr>"
        )
    return "".join(rows) + "</table>"


def _section(matrix: Matrix, section: str, title: str, rows: list[Row], out_dir: Path) -> str:
    differ = sum(row.differs for row in rows)
    summary = f"{section}: {title} ({len(rows)} claims" + (f", {differ} differ" if differ else "")
    head = "".join(f"<th>{escape(c.label)}</th>" for c in matrix.columns)
    body = "".join(_row(matrix, row, out_dir) for row in rows)
    return (
        f'<details open id="{escape(section)}"><summary>{escape(summary)})</summary>'
        f"<table><thead><tr><th>claim</th>{head}<th>note</th>"
        f"{'<th>shown to fail</th>' if matrix.sensitivity else ''}</tr></thead>"
        f"<tbody>{body}</tbody></table></details>"
    )


def _row(matrix: Matrix, row: Row, out_dir: Path) -> str:
    first = row.specs[0].href(out_dir) if row.specs else None
    claim_id = escape(row.id)
    in_book = _book_href(matrix, row)
    if in_book:
        claim_id = (
            f'<a href="{escape(in_book)}" title="this claim in the claims book">{claim_id}</a>'
        )
    elif first:
        claim_id = f'<a href="{escape(first)}">{claim_id}</a>'
    badge = '<span class="badge">differs</span>' if row.differs else ""
    links = "".join(
        f'<li><a href="{escape(s.href(out_dir))}">{escape(s.file)}:{s.line}</a> {escape(s.name)}'
        "</li>"
        for s in row.specs
    )
    count = f"{len(row.specs)} spec{'s' if len(row.specs) != 1 else ''}"
    specs = f'<details class="specs"><summary>{count}</summary><ul>{links}</ul></details>'
    source = f' <small class="source">({escape(row.note_lines_text)})</small>'
    claim = (
        f'<td class="claim"><span class="id">{claim_id}</span>{badge} {escape(matrix.text_of(row))}'
        f"{source if row.note_lines else ''}{specs if row.specs else ''}</td>"
    )
    cells = "".join(_cell(cell) for cell in row.cells)
    skipped = [
        f"skipped{f' on {column.label}' if len(matrix.columns) > 1 else ''}: "
        + "; ".join(cell.skip_reasons)
        for column, cell in zip(matrix.columns, row.cells, strict=True)
        if cell.outcome == "untested" and cell.skip_reasons
    ]
    notes = "<br>".join(escape(n) for n in [*row.notes, *skipped])
    css = ' class="differs"' if row.differs else ""
    sensitivity = ""
    if matrix.sensitivity is not None:
        sensitivity = f'<td class="sensitivity">{escape(matrix.sensitivity.text(row.id))}</td>'
    return (
        f'<tr id="{escape(row.id)}"{css}>{claim}{cells}<td class="note">{notes}</td>'
        f"{sensitivity}</tr>"
    )


def _book_href(matrix: Matrix, row: Row) -> str | None:
    """The row's claim in the claims book; ``None`` without a book, or for an ID or section
    that cannot name a page (a report from elsewhere)."""
    if not matrix.book_url:
        return None
    try:
        return book_url(row.id, matrix.book_url, section=row.section)
    except ValueError:
        return None


def _cell(cell: Cell) -> str:
    if cell.gap:
        return f'<td class="cell o-gap">{GAP}</td>'
    without_specs = cell.outcome in ("no spec", "not run")
    verdict = None if without_specs else cell.verdict
    classes = f"cell v-{verdict or 'none'} o-{cell.outcome.replace(' ', '-')}"
    mark = "✘ " if cell.outcome == "contradicted" else ""
    lines = [f"{mark}{cell.outcome if without_specs else verdict or 'no verdict'}"]
    if cell.verdicts_by_condition:
        lines += conditions_text(cell.verdicts_by_condition).split("; ")
    if not without_specs:
        lines.append(cell.outcome)
    skipped = skipped_text(len(cell.skipped), cell.skipped, cell.outcome)
    if skipped:
        lines.append(skipped)
    lines += [f"explored: {text}" for text in cell.explored]
    title = "; ".join(cell.skip_reasons)
    title_attr = f' title="skipped: {escape(title)}"' if title else ""
    content = escape(lines[0]) + "".join(f"<small>{escape(x)}</small>" for x in lines[1:])
    return f'<td class="{classes}"{title_attr}>{content}</td>'
