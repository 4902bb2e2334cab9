"""The sensitivity record: which alterations of the interpreter showed each claim's specs fail.

A spec is worth what its power to fail is worth. ``tests/test_altered_interpreters.py`` runs
the specs under altered interpreters (``tests/alterations``, a ``sitecustomize`` each) and
writes what it found to a file of its own (not a field of the claims report, whose meaning
stays as it is)::

    {
      "schema": "pytest-concurrency-sensitivity/1",
      "python": "3.12.1",                     # the interpreter the alterations ran on
      "implementation": "cpython",
      "alterations": [{"name", "claims", "caught", "seconds", "outcome", "reason"}],
      "claims": {"CF-11": {"caught_by": ["wait_ignores_first_exception", ...],
                           "interpreter": "3.12.1"}}
    }

``concurrency-claims merge --sensitivity FILE`` puts it beside the matrix: each claim then
says which alterations its specs were shown to fail under, or "not shown to fail".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .report_json import ReportError, read_json

__all__ = ["NOT_SHOWN", "SCHEMA", "Sensitivity", "load_sensitivity"]

SCHEMA = "pytest-concurrency-sensitivity/1"
#: What a claim no alteration has shown to fail says.
NOT_SHOWN = "not shown to fail"


@dataclass(frozen=True)
class Sensitivity:
    """Per claim, the alterations that made its specs fail, and where they ran."""

    caught_by: dict[str, list[str]] = field(default_factory=dict)
    interpreters: list[str] = field(default_factory=list)
    source: str = ""

    def text(self, claim_id: str) -> str:
        """``shown to fail by 2 alterations: a, b`` or ``not shown to fail``."""
        names = self.caught_by.get(claim_id, [])
        if not names:
            return NOT_SHOWN
        count = f"{len(names)} alteration{'s' if len(names) != 1 else ''}"
        return f"shown to fail by {count}: {', '.join(names)}"

    def not_shown(self, claim_ids: list[str]) -> list[str]:
        """The claims among ``claim_ids`` no alteration has shown to fail."""
        return [claim_id for claim_id in claim_ids if not self.caught_by.get(claim_id)]

    def to_json(self, claim_id: str) -> dict[str, Any]:
        return {"caught_by": list(self.caught_by.get(claim_id, [])), "text": self.text(claim_id)}


def load_sensitivity(path: Path) -> Sensitivity:
    """Read one sensitivity record; :class:`ReportError` says what is wrong with it."""
    document = read_json(path)
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ReportError(
            f'{path}: not a sensitivity record (no "schema": "{SCHEMA}"); tox -e altered writes one'
        )
    caught: dict[str, list[str]] = {}
    claims = document.get("claims")
    if isinstance(claims, dict):
        for claim_id, entry in claims.items():
            names = entry.get("caught_by") if isinstance(entry, dict) else None
            if isinstance(names, list):
                caught[str(claim_id)] = sorted({str(n) for n in names})
    else:  # derive it from the alterations
        for alteration in document.get("alterations") or []:
            if isinstance(alteration, dict) and alteration.get("outcome") == "caught":
                for claim_id in alteration.get("caught") or []:
                    caught.setdefault(str(claim_id), []).append(str(alteration.get("name")))
        caught = {k: sorted(set(v)) for k, v in caught.items()}
    python = str(document.get("python") or "?")
    return Sensitivity(caught, [python], str(path))
