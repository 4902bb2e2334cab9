"""The claims report as JSON: what one run found out, in a documented, versioned schema.

The schema is ``docs/claims-report.schema.json`` (JSON Schema 2020-12). In short::

    {
      "schema": "pytest-concurrency-specs/claims-report",
      "schema_version": 1,                  # bumped when a field changes meaning or goes away
      "plugin_version": "0.1.0",
      "created": "2026-11-24T20:30:00+00:00",
      "rootdir": "/path/to/checkout",       # spec files are relative to it
      "interpreter": {"implementation", "version", "version_info", "gil", "free_threaded_build",
                      "platform", "machine", "cpus", "start_methods", "loop_flavours",
                      "executable"},
      "run": {"start_methods", "executor_kinds", "loop_flavours",    # what this run selected
              "exit_status", "interrupted", "interrupted_reason"},  # how it ended
      "summary": {"claims": 95, "verdicts": {...}, "outcomes": {...}},
      "sections": [{"id", "title"}],
      "claims": [{"id", "section", "kind", "text", "text_ko",
                  "note_lines",     # the 1-based lines of the note the claim comes from
                  "verdict",        # holds, erratum, conditional; null without a spec
                  "verdict_here",   # the verdict of the specs that ran here
                  "verdicts_by_condition",   # {"process-fork": "erratum", ...} or {}
                  "outcome",        # confirmed, contradicted, untested, not run, no spec
                  "note", "skip_reasons",
                  "explorations",   # [{"nodeid", "kind", "mode", "schedules", "outcomes",
                                    #   "max_preemptions", "complete"}]: "k of n orders"
                  "skipped_specs",  # [{"nodeid", "skip_reason"}]: skipped for a reason other
                                    # than their guard (a missing service, package, CPUs)
                  "specs": [{"nodeid", "file", "line", "outcome", "skip_reason",
                             "verdict", "note", "parameters"}]}]
    }

Readers accept any report of the same ``schema_version``; fields added later are ignored.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
from collections import Counter
from pathlib import Path
from typing import Any

from .catalogue import VERDICTS
from .interpreter import describe
from .ledger import OUTCOMES, Ledger

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "ReportError",
    "build",
    "load",
    "plugin_version",
]

SCHEMA = "pytest-concurrency-specs/claims-report"
SCHEMA_VERSION = 1

_CLAIM_FIELDS = ("id", "section", "text", "verdict_here", "outcome", "note", "specs")


class ReportError(ValueError):
    """A file is not a claims report this version can read; the message says which and why."""


def plugin_version() -> str:
    try:
        return importlib.metadata.version("pytest-concurrency-specs")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        return "unknown"


def build(ledger: Ledger, run: dict[str, Any], rootdir: Path) -> dict[str, Any]:
    """The report of a run, as a JSON-ready dictionary."""
    results = ledger.results()
    claims = []
    for result in results:
        claim_id = result.claim.id
        claims.append(
            {
                "id": claim_id,
                "section": result.claim.section,
                "kind": result.claim.kind,
                "text": result.claim.text,
                "text_ko": result.claim.text_ko,
                "note_lines": list(result.claim.note_lines),
                "verdict": result.verdict,
                "verdict_here": result.verdict_here,
                "verdicts_by_condition": result.verdicts_by_condition(),
                "outcome": result.outcome,
                "note": result.note,
                "skip_reasons": result.skip_reasons,
                "explorations": result.explorations,
                "skipped_specs": [
                    {"nodeid": spec.nodeid, "skip_reason": spec.skip_reason}
                    for spec in result.skipped_specs
                ],
                "specs": [
                    {
                        "nodeid": spec.nodeid,
                        "file": spec.path,
                        "line": spec.line,
                        "outcome": spec.outcome,
                        "skip_reason": spec.skip_reason,
                        "verdict": spec.link_for(claim_id)["verdict"],
                        "note": spec.link_for(claim_id)["note"],
                        "parameters": spec.parameters,
                    }
                    for spec in result.specs
                ],
            }
        )
    verdicts = Counter(c["verdict_here"] for c in claims if c["verdict_here"])
    outcomes = Counter(c["outcome"] for c in claims)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "plugin_version": plugin_version(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "rootdir": str(rootdir),
        "interpreter": describe(),
        "run": run,
        "summary": {
            "claims": len(claims),
            "verdicts": {v: verdicts[v] for v in VERDICTS},
            "outcomes": {o: outcomes[o] for o in OUTCOMES},
        },
        "sections": [{"id": s.id, "title": s.title} for s in ledger.catalogue.sections.values()],
        "claims": claims,
    }


def read_json(path: Path) -> Any:
    """The JSON document in ``path``; :class:`ReportError` says why it cannot be read."""
    try:
        return json.loads(path.read_text("utf-8"))
    except OSError as error:
        raise ReportError(f"{path}: cannot read it ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportError(f"{path}: not JSON ({error})") from None


def load(path: Path) -> dict[str, Any]:
    """Read and check one claims report; :class:`ReportError` says what is wrong with it."""
    document = read_json(path)
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ReportError(
            f'{path}: not a claims report (no "schema": "{SCHEMA}"); write one with '
            "pytest --claims-report=PATH.json"
        )
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ReportError(
            f"{path}: claims report schema version {version!r} (written by "
            f"pytest-concurrency-specs {document.get('plugin_version', '?')}); this version "
            f"({plugin_version()}) reads schema version {SCHEMA_VERSION} only. Regenerate the "
            "report with this version, or merge with the version that wrote it."
        )
    for key, kind in (("interpreter", dict), ("claims", list), ("sections", list)):
        if not isinstance(document.get(key), kind):
            raise ReportError(
                f"{path}: the report has no {key!r} {kind.__name__}; is it cut short?"
            )
    for index, claim in enumerate(document["claims"]):
        missing = [f for f in _CLAIM_FIELDS if not isinstance(claim, dict) or f not in claim]
        if missing:
            raise ReportError(f"{path}: claim #{index + 1} lacks {', '.join(missing)}")
        _check_words(path, index, claim)
    return document


#: What a spec's outcome can be in a report.
_SPEC_OUTCOMES = ("passed", "failed", "skipped", "not run")


def _check_words(path: Path, index: int, claim: dict[str, Any]) -> None:
    """The fields that are words from a fixed list hold one of them: a report is read as
    data, and these words become part of the pages made from it."""
    checks: list[tuple[str, object, tuple[object, ...]]] = [
        ("outcome", claim.get("outcome"), OUTCOMES),
        ("verdict", claim.get("verdict"), (*VERDICTS, None)),
        ("verdict_here", claim.get("verdict_here"), (*VERDICTS, None)),
    ]
    by_condition = claim.get("verdicts_by_condition") or {}
    if isinstance(by_condition, dict):
        checks += [("verdicts_by_condition", v, VERDICTS) for v in by_condition.values()]
    for spec in claim.get("specs") or []:
        if isinstance(spec, dict):
            checks.append(("a spec's outcome", spec.get("outcome"), _SPEC_OUTCOMES))
            checks.append(("a spec's verdict", spec.get("verdict"), VERDICTS))
    for field_name, value, accepted in checks:
        if value not in accepted:
            raise ReportError(
                f"{path}: claim #{index + 1} has {field_name} {value!r}; accepted: "
                + ", ".join(map(str, accepted))
            )
