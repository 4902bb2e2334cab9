"""``pytest --claims``: a reading guide to the catalogue, without running anything.

Like ``--fixtures``, it collects and then lists: every claim of the catalogue, section by
section, with the spec files and test names that check it (parameter sets folded into one
test), so a reader can go from a claim to the code that shows it::

    CF-7  [performance] The default number of workers ...
        specs/concurrent_futures/test_executor_api.py:41  test_default_max_workers_is_... (erratum)
"""

from __future__ import annotations

import pytest

from .ledger import Ledger, spec_function

__all__ = ["show_claims"]


def show_claims(terminal: pytest.TerminalReporter, ledger: Ledger, language: str = "en") -> None:
    """Write the guide: every claim (its text in ``language``), with the specs the collection
    found for it."""
    results = ledger.results()
    for section in ledger.catalogue.sections.values():
        terminal.write_sep("-", f"{section.id}: {section.title}")
        for result in (r for r in results if r.claim.section == section.id):
            source = f" ({result.claim.note_lines_text})" if result.claim.note_lines else ""
            terminal.write_line(
                f"{result.claim.id}  [{result.claim.kind}] {result.claim.text_in(language)}{source}"
            )
            tests: dict[tuple[str, str], set[str]] = {}
            for spec in result.specs:
                key = (f"{spec.path}:{spec.line}", spec_function(spec.nodeid))
                tests.setdefault(key, set()).add(spec.link_for(result.claim.id)["verdict"])
            for (where, name), verdicts in tests.items():
                terminal.write_line(f"    {where}  {name} ({', '.join(sorted(verdicts))})")
            if not tests:
                terminal.write_line("    (no spec)", light=True)
    checked = sum(1 for r in results if r.specs)
    terminal.write_line(
        f"{len(results)} claims: {checked} checked by {len(ledger.specs)} collected specs, "
        f"{len(results) - checked} without a spec",
        bold=True,
    )
