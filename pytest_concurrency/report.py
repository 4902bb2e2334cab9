"""The end-of-run claims summary in the terminal.

Compact by default (counts, then one line for each claim that is not a confirmed ``holds``:
errata, conditional claims, contradicted, untested, and claims with no spec); ``-v`` lists
every claim. One line per claim, readable without colour.
"""

from __future__ import annotations

from collections import Counter

import pytest

from .ledger import ClaimResult, Ledger

__all__ = ["claim_line", "write_terminal_summary"]


def claim_line(result: ClaimResult) -> str:
    """``CF-7     erratum      confirmed     <note>`` for one claim."""
    detail = result.note
    if result.outcome == "untested" and result.skip_reasons:
        detail = "skipped: " + "; ".join(result.skip_reasons)
    if result.outcome == "no spec":
        detail = result.claim.text
    return f"{result.claim.id:<8} {result.verdict_here:<12} {result.outcome:<13} {detail}".rstrip()


def write_terminal_summary(terminal: pytest.TerminalReporter, ledger: Ledger) -> None:
    """Write the claims summary (every claim with ``-v``, the notable ones otherwise)."""
    results = ledger.results()
    verbose = terminal.config.getoption("verbose") > 0
    terminal.section("claims of the concurrency note")
    for section in ledger.catalogue.sections.values():
        shown = [
            r for r in results
            if r.claim.section == section.id and (verbose or _notable(r))
        ]
        if not shown:
            continue
        terminal.write_line(f"{section.id}: {section.title}")
        for result in shown:
            terminal.write_line("  " + claim_line(result))
    with_spec = [r for r in results if r.outcome != "no spec"]
    verdicts = Counter(r.verdict_here for r in with_spec)
    outcomes = Counter(r.outcome for r in results)
    terminal.write_line(
        f"{len(results)} claims; verdicts here: "
        + ", ".join(f"{verdicts[v]} {v}" for v in ("holds", "erratum", "conditional"))
        + "; outcomes: "
        + ", ".join(
            f"{outcomes[o]} {o}" for o in ("confirmed", "contradicted", "untested", "no spec")
        )
    )
    missing = [r.claim.id for r in results if r.outcome == "no spec"]
    if missing:
        terminal.write_line(f"claims without a spec ({len(missing)}): {', '.join(missing)}")
    if not verbose:
        terminal.write_line("(-v lists every claim)")


def _notable(result: ClaimResult) -> bool:
    if result.outcome == "no spec":
        return False  # listed together on one line below
    return not (result.verdict_here == "holds" and result.outcome == "confirmed")
