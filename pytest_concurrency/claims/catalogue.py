"""The claims of the study note, as data (``catalogue.toml`` beside this module)."""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["KINDS", "VERDICTS", "Catalogue", "Claim", "Section", "load_catalogue"]

#: What a spec can say of a claim.
VERDICTS = ("holds", "erratum", "conditional")
#: Kinds of claim: deterministic behaviour, measured performance, guidance, worked example.
KINDS = ("behaviour", "performance", "guidance", "example")


@dataclass(frozen=True)
class Section:
    """A section of the note (``CF``: concurrent.futures)."""

    id: str
    title: str


@dataclass(frozen=True)
class Claim:
    """One claim of the note, in our words."""

    id: str
    section: str
    kind: str
    text: str


class Catalogue:
    """Every claim, by ID, in the order of the note."""

    def __init__(self, sections: list[Section], claims: list[Claim]) -> None:
        self.sections = {s.id: s for s in sections}
        self.claims = {c.id: c for c in claims}
        for claim in claims:
            if claim.section not in self.sections:
                raise ValueError(f"claim {claim.id} names unknown section {claim.section!r}")
            if claim.kind not in KINDS:
                raise ValueError(f"claim {claim.id} has unknown kind {claim.kind!r}")

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.claims.values())

    def __len__(self) -> int:
        return len(self.claims)

    def get(self, claim_id: str) -> Claim:
        """The claim ``claim_id``; a :class:`KeyError` suggests near IDs."""
        try:
            return self.claims[claim_id]
        except KeyError:
            near = difflib.get_close_matches(claim_id, self.claims, n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise KeyError(
                f"unknown claim ID {claim_id!r}{hint} "
                f"(IDs look like {next(iter(self.claims))}; sections: {', '.join(self.sections)})"
            ) from None

    def in_section(self, section: str) -> list[Claim]:
        """The claims of one section, in order."""
        return [c for c in self.claims.values() if c.section == section]


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped with the package."""
    text = resources.files(__package__).joinpath("catalogue.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return Catalogue(
        [Section(**s) for s in data["section"]],
        [Claim(**c) for c in data["claim"]],
    )
