"""Verdict bookkeeping: from test reports to one verdict and one outcome per claim.

Each spec carries its ``claim`` links and the parameters it ran with (executor kind, start
method, loop flavour) in its reports, as a user property, so that pytest-xdist brings them back
from the workers. The :class:`Ledger` folds the reports of a run into :class:`SpecRecord`
objects and those into :class:`ClaimResult` objects:

* a spec's **outcome** is ``passed``, ``failed`` (the call or its setup/teardown failed) or
  ``skipped`` (with the reason); ``not run`` if the run stopped before it;
* a claim is **confirmed** when every spec of it that ran passed, **contradicted** when one
  failed, **untested** when none ran (all skipped), **not run** when this run selected none of
  its specs (``pytest specs/foundations``: the claims of other sections), and has **no spec**
  when no spec of the tree links to it;
* a claim's **verdict here** is the verdict of the specs that ran on this interpreter
  (``conditional`` when they disagree, say across start methods); its **verdict** overall is
  that of all its specs, so a claim whose specs carry different verdicts under different
  guards is ``conditional``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .. import executors, loops
from ..exploration.record import PROPERTY as EXPLORATION_PROPERTY
from ..pytest_internals import LOOP_FACTORY_PARAM
from .catalogue import Catalogue, Claim
from .links import ClaimLink
from .spec_index import claims_with_specs

__all__ = [
    "CPYTHON_IMPLEMENTATIONS",
    "GUARD_SKIP_PROPERTY",
    "OUTCOMES",
    "PROPERTY",
    "ClaimResult",
    "Ledger",
    "SpecRecord",
    "conditions_text",
    "exploration_text",
    "implementations_that_ran",
    "skipped_text",
    "spec_function",
    "spec_property",
]

#: The user-property key under which a test's claim links and parameters travel.
PROPERTY = "pytest_concurrency.claims"
#: The user-property key that says a spec was skipped because a guard of it does not hold
#: here (a spec for another Python, build or platform): its condition, not a gap of this run.
GUARD_SKIP_PROPERTY = "pytest_concurrency.guard_skip"
#: What a run can find out about a claim, in the order summaries list them.
OUTCOMES = ("confirmed", "contradicted", "untested", "not run", "no spec")
#: The fixtures whose parameter is a condition a verdict can depend on, and what we call them.
_CONDITION_FIXTURES = {
    "executor_kind": "executor_kind",
    "start_method": "start_method",
    LOOP_FACTORY_PARAM: "loop_flavour",
}


def spec_property(item: pytest.Item, links: list[ClaimLink]) -> tuple[str, dict[str, Any]]:
    """The user property that carries ``links`` and the item's parameters in its reports."""
    return PROPERTY, {
        "links": [{"ids": list(c.ids), "verdict": c.verdict, "note": c.note} for c in links],
        "parameters": _parameters(item),
    }


def _parameters(item: pytest.Item) -> dict[str, str]:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return {}
    flavour_of = {f.factory: name for name, f in loops.FLAVOURS.items()}
    found = {}
    for fixture, name in _CONDITION_FIXTURES.items():
        value = callspec.params.get(fixture)
        if fixture == LOOP_FACTORY_PARAM:
            value = flavour_of.get(value)
        if isinstance(value, str):
            found[name] = value
    return found


def spec_function(nodeid: str) -> str:
    """``specs/x.py::TestA::test_b[fork]`` -> ``TestA::test_b`` (the function, any parameter)."""
    return re.sub(r"\[.*\]$", "", nodeid.split("::", 1)[-1])


@dataclass
class SpecRecord:
    """One test (one parameter set) that checks one or more claims."""

    nodeid: str
    path: str
    line: int  # 1-based
    links: list[dict[str, Any]]
    parameters: dict[str, str] = field(default_factory=dict)
    outcome: str = "not run"  # passed, failed, skipped or not run
    skip_reason: str = ""
    skipped_by_guard: bool = False  # its guard does not hold here: not a gap of this run
    #: What the spec's explorations found (schedules, outcomes): "k of n orders", measured.
    explorations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def implementation(self) -> str:
        """The executor kind or loop flavour this spec ran on ('' if neither)."""
        return self.parameters.get("executor_kind") or self.parameters.get("loop_flavour", "")

    def link_for(self, claim_id: str) -> dict[str, Any]:
        return next(link for link in self.links if claim_id in link["ids"])

    @property
    def condition(self) -> str:
        """The parameters this spec ran with, e.g. ``process-fork`` or ``virtual`` ('' if none)."""
        values = dict(self.parameters)
        if "executor_kind" in values:
            values.pop("start_method", None)
        return ", ".join(values.values())


@dataclass
class ClaimResult:
    """What this run found out about one claim."""

    claim: Claim
    specs: list[SpecRecord] = field(default_factory=list)
    #: Whether some spec of the tree links to the claim, selected in this run or not.
    specified: bool = False

    def _verdicts(self, specs: Iterable[SpecRecord]) -> str | None:
        found = {spec.link_for(self.claim.id)["verdict"] for spec in specs}
        if not found:
            return None
        return str(found.pop()) if len(found) == 1 else "conditional"

    @property
    def verdict(self) -> str | None:
        """The verdict over every spec, whatever ran here (``None`` without a spec)."""
        return self._verdicts(self.specs)

    @property
    def ran(self) -> list[SpecRecord]:
        return [s for s in self.specs if s.outcome in ("passed", "failed")]

    @property
    def verdict_here(self) -> str | None:
        """The verdict of the specs that ran on this interpreter (of all, if none ran)."""
        return self._verdicts(self.ran or self.specs)

    @property
    def outcome(self) -> str:
        """confirmed, contradicted, untested, not run or no spec."""
        if not self.specs:
            return "not run" if self.specified else "no spec"
        if any(s.outcome == "failed" for s in self.specs):
            return "contradicted"
        if any(s.outcome == "passed" for s in self.specs):
            return "confirmed"
        return "untested"

    def outcome_on(self, implementation: str) -> str | None:
        """``confirmed`` or ``contradicted`` on one executor kind or loop flavour, by the
        specs of this claim that ran on it; ``None`` when none did."""
        ran = [s for s in self.ran if s.implementation == implementation]
        if not ran:
            return None
        return "contradicted" if any(s.outcome == "failed" for s in ran) else "confirmed"

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
    def explorations(self) -> list[dict[str, Any]]:
        """What the explorations of this claim's specs found, each with its spec's node ID:
        ``{"nodeid", "kind", "mode", "schedules", "outcomes", ...}``."""
        return [{"nodeid": s.nodeid, **e} for s in self.specs for e in s.explorations]

    @property
    def skip_reasons(self) -> list[str]:
        return sorted({s.skip_reason for s in self.specs if s.outcome == "skipped"})

    @property
    def skipped_specs(self) -> list[SpecRecord]:
        """The specs of this claim skipped for a reason other than their guard (a missing
        service or package, a busy machine): what the outcome could not take into account."""
        return [s for s in self.specs if s.outcome == "skipped" and not s.skipped_by_guard]

    @property
    def skipped_text(self) -> str:
        """``2 specs skipped: redis-server is not installed`` for a claim some of whose specs
        ran and some were skipped so (``""`` otherwise)."""
        return skipped_text(
            len(self.skipped_specs), [s.skip_reason for s in self.skipped_specs], self.outcome
        )

    def verdicts_by_condition(self) -> dict[str, str]:
        """For a claim that is conditional here: the verdict under each parameter that ran.

        Empty when the verdict does not depend on a parameter of this run (one verdict, or
        verdicts that differ between specs of the same parameter).
        """
        by_condition: dict[str, set[str]] = {}
        for spec in self.ran:
            verdict = spec.link_for(self.claim.id)["verdict"]
            by_condition.setdefault(spec.condition, set()).add(verdict)
        if len(by_condition) < 2 or any(len(v) > 1 for v in by_condition.values()):
            return {}
        flat = {condition: verdicts.pop() for condition, verdicts in by_condition.items()}
        return flat if len(set(flat.values())) > 1 else {}


#: The executor kinds and loop flavours of CPython's own implementations.
CPYTHON_IMPLEMENTATIONS = frozenset(executors.CPYTHON_KINDS) | frozenset(loops.CPYTHON_FLAVOURS)


def implementations_that_ran(results: Iterable[ClaimResult]) -> list[str]:
    """The executor kinds and loop flavours specs ran on: CPython's first, then the others,
    each group in name order."""
    names = {spec.implementation for r in results for spec in r.ran} - {""}
    return sorted(names, key=lambda name: (name not in CPYTHON_IMPLEMENTATIONS, name))


def exploration_text(exploration: dict[str, Any]) -> str:
    """``6 orders: 1 in 4, 2 in 2`` (what the scenario returned, in how many orders)."""
    outcomes = exploration.get("outcomes") or {}
    mode = exploration.get("mode")
    orders = f"{exploration.get('schedules', 0)} orders"
    if mode and mode != "exhaustive":
        orders += f" ({mode})"
    return f"{orders}: " + ", ".join(f"{k} in {n}" for k, n in outcomes.items())


def skipped_text(count: int, reasons: Iterable[str], outcome: str) -> str:
    """What a claim's outcome leaves out: ``2 specs skipped: <reasons>``, shown beside a
    confirmed or contradicted outcome (an untested claim says "skipped" already)."""
    if not count or outcome not in ("confirmed", "contradicted"):
        return ""
    return f"{count} spec{'s' if count != 1 else ''} skipped: " + "; ".join(sorted(set(reasons)))


def conditions_text(verdicts_by_condition: dict[str, str]) -> str:
    """``{"process-fork": "erratum", "thread": "holds"}`` -> ``erratum: process-fork; holds:
    thread`` (specs without a parameter are called ``unparametrized``)."""
    by_verdict: dict[str, list[str]] = {}
    for condition, verdict in verdicts_by_condition.items():
        by_verdict.setdefault(verdict, []).append(condition or "unparametrized")
    return "; ".join(f"{verdict}: {', '.join(conds)}" for verdict, conds in by_verdict.items())


class Ledger:
    """Spec records of a run, keyed by node ID."""

    def __init__(self, catalogue: Catalogue, specs_dir: Path | None = None) -> None:
        self.catalogue = catalogue
        self.specs: dict[str, SpecRecord] = {}
        #: The spec tree, whose claim markers tell "not run" from "no spec".
        self.specs_dir = specs_dir

    def collected(self, item: pytest.Item, links: list[ClaimLink]) -> None:
        """Note a collected spec (before it runs, or when it never will)."""
        path, line, _ = item.location
        carried = spec_property(item, links)[1]
        self.specs[item.nodeid] = SpecRecord(
            item.nodeid, path, (line or 0) + 1, carried["links"], carried["parameters"]
        )

    def deselected(self, items: Iterable[pytest.Item]) -> None:
        """Forget specs deselected (``-k``, ``-m``) after collection: they are not this run's."""
        for item in items:
            self.specs.pop(item.nodeid, None)

    def record(self, report: pytest.TestReport) -> None:
        """Fold one phase report of a spec into its record."""
        carried = dict(report.user_properties).get(PROPERTY)
        if not isinstance(carried, dict):
            return
        spec = self.specs.get(report.nodeid)
        if spec is None:  # under xdist the controller learns of specs from reports only
            path, line, _ = report.location
            spec = self.specs[report.nodeid] = SpecRecord(
                report.nodeid, path, (line or 0) + 1, carried["links"], carried["parameters"]
            )
        if report.failed:
            spec.outcome = "failed"
        elif report.skipped and spec.outcome != "failed":
            spec.outcome = "skipped"
            spec.skip_reason = _skip_reason(report)
            spec.skipped_by_guard = GUARD_SKIP_PROPERTY in dict(report.user_properties)
        elif report.when == "call" and report.passed and spec.outcome != "failed":
            spec.outcome = "passed"
        if report.when == "call":
            found = dict(report.user_properties).get(EXPLORATION_PROPERTY)
            if isinstance(found, list):
                spec.explorations = [e for e in found if isinstance(e, dict)]

    def results(self) -> list[ClaimResult]:
        """Every claim of the catalogue, in order, with its specs in file order."""
        specified = claims_with_specs(self.specs_dir) if self.specs_dir else frozenset()
        by_claim = {
            claim.id: ClaimResult(claim, specified=claim.id in specified)
            for claim in self.catalogue
        }
        for spec in sorted(self.specs.values(), key=lambda s: (s.path, s.line, s.nodeid)):
            for link in spec.links:
                for claim_id in link["ids"]:
                    by_claim[claim_id].specs.append(spec)
        return list(by_claim.values())


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)
