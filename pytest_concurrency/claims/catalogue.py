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

__all__ = [
    "KINDS",
    "LANGUAGES",
    "VERDICTS",
    "Catalogue",
    "Claim",
    "Note",
    "Section",
    "load_catalogue",
]

#: What a spec can say of a claim.
VERDICTS = ("holds", "erratum", "conditional")
#: Kinds of claim: deterministic behaviour, measured performance, guidance, worked example.
KINDS = ("behaviour", "performance", "guidance", "example")
#: The languages a claim's text is written in: English (``text``) and Korean (``text_ko``), the
#: note's own language, in our words.
LANGUAGES = ("en", "ko")


@dataclass(frozen=True)
class Section:
    """A section of the note (``CF``: concurrent.futures)."""

    id: str
    title: str


@dataclass(frozen=True)
class Note:
    """The study note the claims come from: where it lies (relative to the folder that holds
    this repository's checkout, as the project's shared files are laid out) and how many lines
    it has. The project never copies its text; a claim links to it by line number."""

    path: str
    lines: int


@dataclass(frozen=True)
class Claim:
    """One claim of the note, in our words."""

    id: str
    section: str
    kind: str
    text: str
    #: The 1-based lines of the note that state the claim (the link to its source).
    note_lines: tuple[int, ...] = ()
    #: The claim in Korean (our words, never the note's).
    text_ko: str = ""

    def text_in(self, language: str) -> str:
        """The claim's text in ``language`` (``en`` or ``ko``); English where no Korean text
        is written."""
        return self.text_ko if language == "ko" and self.text_ko else self.text

    @property
    def note_lines_text(self) -> str:
        """``note line 53`` or ``note lines 98-99`` (``""`` when the claim has none)."""
        lines = sorted(self.note_lines)
        if not lines:
            return ""
        runs: list[list[int]] = []
        for line in lines:
            if runs and line == runs[-1][-1] + 1:
                runs[-1].append(line)
            else:
                runs.append([line])
        parts = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
        return f"note line{'s' if len(lines) > 1 else ''} {', '.join(parts)}"


class Catalogue:
    """Every claim, by ID, in the order of the note."""

    def __init__(
        self, sections: list[Section], claims: list[Claim], note: Note | None = None
    ) -> None:
        self.sections = {s.id: s for s in sections}
        self.claims = {c.id: c for c in claims}
        self.note = note
        for claim in claims:
            if claim.section not in self.sections:
                raise ValueError(f"claim {claim.id} names unknown section {claim.section!r}")
            if claim.kind not in KINDS:
                raise ValueError(f"claim {claim.id} has unknown kind {claim.kind!r}")
            if not all(isinstance(n, int) and n >= 1 for n in claim.note_lines):
                raise ValueError(
                    f"claim {claim.id}: note_lines must be line numbers (integers from 1), "
                    f"got {list(claim.note_lines)!r}"
                )
            if note is not None and any(n > note.lines for n in claim.note_lines):
                raise ValueError(
                    f"claim {claim.id}: note_lines {list(claim.note_lines)!r} point past the "
                    f"note's last line ({note.lines})"
                )

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
    claims = [Claim(**{**c, "note_lines": tuple(c.get("note_lines", ()))}) for c in data["claim"]]
    note = Note(**data["note"]) if "note" in data else None
    return Catalogue([Section(**s) for s in data["section"]], claims, note)
