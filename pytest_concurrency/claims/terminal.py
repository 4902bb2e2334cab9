"""The end-of-run claims summary in the terminal.

Compact by default: the notable claims (errata, conditional claims, contradicted and untested
ones), then the counts and the IDs of claims with no spec. ``-v`` lists every claim; ``-vv``
also keeps long notes whole instead of cutting them at the terminal's width. One line per claim,
in columns, readable without colour (colour only underlines what the words say)::

    CF: concurrent.futures
      CF-7     erratum      confirmed     the default is min(32, CPUs + 4), not 5 x CPUs
      CF-12    holds        untested      skipped: needs Python >=3.14; this is 3.12.1
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from .catalogue import VERDICTS
from .ledger import (
    CPYTHON_IMPLEMENTATIONS,
    OUTCOMES,
    ClaimResult,
    Ledger,
    conditions_text,
    implementations_that_ran,
    spec_function,
)

__all__ = ["claim_line", "write_terminal_summary"]

_WIDTH = {"id": 8, "verdict": 12, "outcome": 13}


def claim_line(result: ClaimResult, language: str = "en") -> str:
    """``CF-7     erratum      confirmed     <note>`` for one claim."""
    detail = result.note
    by_condition = result.verdicts_by_condition()
    if by_condition:
        detail = f"({conditions_text(by_condition)})"
        detail += f" {result.note}" if result.note else ""
    if result.outcome == "contradicted":
        failed = dict.fromkeys(
            spec_function(s.nodeid) for s in result.specs if s.outcome == "failed"
        )
        detail = f"failed: {', '.join(failed)}" + (f"; {detail}" if detail else "")
    if result.skipped_text:
        detail = result.skipped_text + (f"; {detail}" if detail else "")
    if result.outcome == "untested" and result.skip_reasons:
        detail = "skipped: " + "; ".join(result.skip_reasons)
    if result.outcome == "no spec":
        detail = result.claim.text_in(language)
    verdict = result.verdict_here or "-"
    return (
        f"{result.claim.id:<{_WIDTH['id']}} {verdict:<{_WIDTH['verdict']}} "
        f"{result.outcome:<{_WIDTH['outcome']}} {detail}"
    ).rstrip()


def write_terminal_summary(
    terminal: pytest.TerminalReporter,
    ledger: Ledger,
    written: Path | None = None,
    language: str = "en",
) -> None:
    """Write the claims summary (every claim with ``-v``, the notable ones otherwise)."""
    results = ledger.results()
    verbosity = terminal.config.getoption("verbose")
    width = terminal._tw.fullwidth if verbosity < 2 else 0
    terminal.section("claims of the concurrency note")
    for section in ledger.catalogue.sections.values():
        shown = [
            r for r in results if r.claim.section == section.id and (verbosity > 0 or _notable(r))
        ]
        if not shown:
            continue
        terminal.write_line(f"{section.id}: {section.title}", bold=True)
        for result in shown:
            line = _cut("  " + claim_line(result, language), width)
            terminal.write_line(line, **_markup(result))
    with_spec = [r for r in results if r.outcome not in ("no spec", "not run")]
    verdicts = Counter(r.verdict_here for r in with_spec)
    outcomes = Counter(r.outcome for r in results)
    terminal.write_line(
        f"{len(results)} claims: " + ", ".join(f"{outcomes[o]} {o}" for o in OUTCOMES), bold=True
    )
    terminal.write_line(
        "verdicts here, of the claims with a spec: "
        + ", ".join(f"{verdicts[v]} {v}" for v in VERDICTS)
    )
    _write_implementations(terminal, results, width)
    missing = [r.claim.id for r in results if r.outcome == "no spec"]
    if missing and verbosity <= 0:
        terminal.write_line(
            _cut(f"claims without a spec ({len(missing)}): {', '.join(missing)}", width)
        )
    not_run = [r.claim.id for r in results if r.outcome == "not run"]
    if not_run and verbosity <= 0:
        terminal.write_line(
            _cut(
                f"claims not run ({len(not_run)}), their specs not selected here: "
                + ", ".join(not_run),
                width,
            )
        )
    if verbosity <= 0:
        terminal.write_line("(-v lists every claim; --claims shows which specs check which)")
    if written is not None:
        terminal.write_line(f"claims report written to {written}")


def _write_implementations(
    terminal: pytest.TerminalReporter, results: list[ClaimResult], width: int
) -> None:
    """When specs ran on an implementation other than CPython's (``--executor-kinds=loky``,
    ``--loop-flavours=uvloop``): per implementation, the claims confirmed and contradicted
    by the specs that ran on it."""
    names = implementations_that_ran(results)
    if not set(names) - CPYTHON_IMPLEMENTATIONS:
        return
    terminal.write_line(
        "claims confirmed, of those checked on each executor kind and loop flavour:"
    )
    for name in names:
        outcomes = {r.claim.id: r.outcome_on(name) for r in results}
        confirmed = [claim for claim, outcome in outcomes.items() if outcome == "confirmed"]
        contradicted = [claim for claim, outcome in outcomes.items() if outcome == "contradicted"]
        line = f"  {name:<20} {len(confirmed)} of {len(confirmed) + len(contradicted)}"
        if contradicted:
            line += f"; contradicted: {', '.join(contradicted)}"
        terminal.write_line(_cut(line, width), red=bool(contradicted))


def _notable(result: ClaimResult) -> bool:
    if result.outcome in ("no spec", "not run"):
        return False  # listed together on one line below
    plain = result.verdict_here == "holds" and result.outcome == "confirmed"
    return not plain or bool(result.skipped_specs)


def _markup(result: ClaimResult) -> dict[str, bool]:
    if result.outcome == "contradicted":
        return {"red": True, "bold": True}
    if result.outcome in ("untested", "not run", "no spec"):
        return {"light": True}
    if result.verdict_here == "erratum":
        return {"yellow": True}
    return {}


def _cut(line: str, width: int) -> str:
    """``line``, cut to ``width`` characters with an ellipsis (0: never cut)."""
    if width <= 0 or len(line) <= width - 1:
        return line
    return line[: width - 2] + "…"
