"""The ``claim`` marker: which catalogue claims a spec checks, with which verdict and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from ..markers import MarkerError
from .catalogue import VERDICTS, load_catalogue

__all__ = ["ClaimLink", "claim_links"]


@dataclass(frozen=True)
class ClaimLink:
    """What one ``claim`` marker says: which claims, which verdict, why."""

    ids: tuple[str, ...]
    verdict: str
    note: str


def claim_links(marks: Iterable[pytest.Mark]) -> list[ClaimLink]:
    """Read and check the ``claim`` markers of a test."""
    catalogue = load_catalogue()
    links = []
    for mark in marks:
        extra = set(mark.kwargs) - {"verdict", "note"}
        if extra:
            raise MarkerError(
                f"claim() got unexpected argument(s) {sorted(extra)}; it accepts claim IDs, "
                "verdict= and note="
            )
        if not mark.args:
            raise MarkerError("claim() needs at least one claim ID, e.g. claim('CF-7')")
        for claim_id in mark.args:
            if not isinstance(claim_id, str):
                raise MarkerError(f"claim IDs are strings, got {claim_id!r}")
            try:
                catalogue.get(claim_id)
            except KeyError as error:
                raise MarkerError(error.args[0]) from None
        verdict = mark.kwargs.get("verdict", "holds")
        if verdict not in VERDICTS:
            raise MarkerError(
                f"unknown verdict {verdict!r} for {', '.join(mark.args)}; "
                f"accepted: {', '.join(VERDICTS)}"
            )
        note = mark.kwargs.get("note", "")
        if verdict != "holds" and not str(note).strip():
            raise MarkerError(
                f"verdict {verdict!r} for {', '.join(mark.args)} needs a note saying what the "
                "note got wrong, or under which condition the claim holds"
            )
        links.append(ClaimLink(tuple(mark.args), verdict, str(note)))
    return links
