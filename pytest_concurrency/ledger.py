"""Verdict bookkeeping: from test reports to one verdict and one outcome per claim.

Each spec carries its ``claim`` links in its reports (as a user property, so pytest-xdist brings
them back from the workers). The :class:`Ledger` folds the reports of a run into
:class:`SpecRecord` objects and those into :class:`ClaimResult` objects:

* a spec's **outcome** is ``passed``, ``failed`` (the call or its setup/teardown failed) or
  ``skipped`` (with the reason);
* a claim is **confirmed** when every spec of it that ran passed, **contradicted** when one
  failed, **untested** when all were skipped, and has **no spec** when nothing links to it;
* a claim's **verdict here** is the verdict of the specs that ran on this interpreter
  (``conditional`` when they disagree, say across start methods); its **verdict** overall is
  that of all its specs, so a claim whose specs carry different verdicts under different
  guards is ``conditional``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

from .catalogue import Catalogue, Claim
from .markers import ClaimLink

__all__ = ["PROPERTY", "ClaimResult", "Ledger", "SpecRecord", "links_property"]

#: The user-property key under which a test's claim links travel.
PROPERTY = "pytest_concurrency.claims"


def links_property(links: list[ClaimLink]) -> tuple[str, list[dict[str, Any]]]:
    """The user property that carries ``links`` in every report of the test."""
    return PROPERTY, [{"ids": list(c.ids), "verdict": c.verdict, "note": c.note} for c in links]


@dataclass
class SpecRecord:
    """One test (one parameter set) that checks one or more claims."""

    nodeid: str
    path: str
    line: int  # 1-based
    links: list[dict[str, Any]]
    outcome: str = "not run"  # passed, failed, skipped or not run (collected only)
    skip_reason: str = ""

    def link_for(self, claim_id: str) -> dict[str, Any]:
        return next(link for link in self.links if claim_id in link["ids"])


@dataclass
class ClaimResult:
    """What this run found out about one claim."""

    claim: Claim
    specs: list[SpecRecord] = field(default_factory=list)

    def _verdicts(self, specs: Iterable[SpecRecord]) -> str:
        found = {spec.link_for(self.claim.id)["verdict"] for spec in specs}
        if not found:
            return "none"
        return found.pop() if len(found) == 1 else "conditional"

    @property
    def verdict(self) -> str:
        """The verdict over every spec, whatever ran here."""
        return self._verdicts(self.specs)

    @property
    def ran(self) -> list[SpecRecord]:
        return [s for s in self.specs if s.outcome in ("passed", "failed")]

    @property
    def verdict_here(self) -> str:
        """The verdict of the specs that ran on this interpreter (of all, if none ran)."""
        return self._verdicts(self.ran or self.specs)

    @property
    def outcome(self) -> str:
        """confirmed, contradicted, untested or no spec."""
        if not self.specs:
            return "no spec"
        if any(s.outcome == "failed" for s in self.specs):
            return "contradicted"
        if any(s.outcome == "passed" for s in self.specs):
            return "confirmed"
        return "untested"

    @property
    def note(self) -> str:
        """The note of the first spec whose verdict is the verdict here."""
        verdict = self.verdict_here
        for spec in self.ran or self.specs:
            link = spec.link_for(self.claim.id)
            if link["note"] and (verdict == "conditional" or link["verdict"] == verdict):
                return str(link["note"])
        return ""

    @property
    def skip_reasons(self) -> list[str]:
        return sorted({s.skip_reason for s in self.specs if s.outcome == "skipped"})


class Ledger:
    """Spec records of a run, keyed by node ID."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.specs: dict[str, SpecRecord] = {}

    def collected(self, item: pytest.Item, links: list[ClaimLink]) -> None:
        """Note a collected spec (before it runs, or when it never will)."""
        path, line, _ = item.location
        self.specs[item.nodeid] = SpecRecord(
            item.nodeid, path, (line or 0) + 1, links_property(links)[1]
        )

    def record(self, report: pytest.TestReport) -> None:
        """Fold one phase report of a spec into its record."""
        links = dict(report.user_properties).get(PROPERTY)
        if links is None:
            return
        spec = self.specs.get(report.nodeid)
        if spec is None:
            path, line, _ = report.location
            spec = self.specs[report.nodeid] = SpecRecord(
                report.nodeid, path, (line or 0) + 1, links
            )
        if report.failed:
            spec.outcome = "failed"
        elif report.skipped and spec.outcome != "failed":
            spec.outcome = "skipped"
            spec.skip_reason = _skip_reason(report)
        elif report.when == "call" and report.passed and spec.outcome != "failed":
            spec.outcome = "passed"

    def results(self) -> list[ClaimResult]:
        """Every claim of the catalogue, in order, with its specs."""
        by_claim = {claim.id: ClaimResult(claim) for claim in self.catalogue}
        for spec in self.specs.values():
            for link in spec.links:
                for claim_id in link["ids"]:
                    by_claim[claim_id].specs.append(spec)
        return list(by_claim.values())


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)
