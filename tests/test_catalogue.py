"""The catalogue of claims: loaded from the package, checked, looked up by ID."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_concurrency.claims import VERDICTS, load_catalogue
from pytest_concurrency.claims.catalogue import KINDS, Catalogue, Claim, Note, Section


def test_the_catalogue_ships_with_the_package_and_is_cached() -> None:
    """load_catalogue reads catalogue.toml once; every call gives the same object."""
    catalogue = load_catalogue()
    assert catalogue is load_catalogue()
    assert len(catalogue) == len(list(catalogue)) > 0


def test_every_claim_has_a_well_formed_id_in_its_section() -> None:
    """IDs read SECTION-N, numbered from 1 without gaps within each section (a claim added
    later takes the next number, and stands in the note's order, not its number's)."""
    catalogue = load_catalogue()
    for section in catalogue.sections:
        numbers = [int(c.id.split("-")[1]) for c in catalogue.in_section(section)]
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), section
    for claim in catalogue:
        assert re.fullmatch(rf"{claim.section}-\d+", claim.id), claim.id
        assert claim.kind in KINDS
        assert claim.text.strip() == claim.text != ""


def test_a_claim_is_found_by_its_id() -> None:
    """get() returns the claim with that ID."""
    claim = load_catalogue().get("CF-1")
    assert (claim.id, claim.section) == ("CF-1", "CF")


def test_an_unknown_id_suggests_near_ones_and_lists_the_sections() -> None:
    """A typo gets suggestions; the message also shows what IDs look like."""
    with pytest.raises(KeyError) as excinfo:
        load_catalogue().get("CF-99")
    message = excinfo.value.args[0]
    assert message.startswith("unknown claim ID 'CF-99'; did you mean CF-9")
    assert "(IDs look like BAS-1; sections: BAS, CF, AIO," in message


def test_an_id_like_nothing_gets_no_suggestion() -> None:
    """No near match, no 'did you mean'."""
    with pytest.raises(KeyError) as excinfo:
        load_catalogue().get("zzzzzzzz")
    assert excinfo.value.args[0].startswith("unknown claim ID 'zzzzzzzz' (IDs look like")


def test_the_verdicts_and_kinds_are_fixed() -> None:
    """Three verdicts a spec can give; four kinds of claim."""
    assert VERDICTS == ("holds", "erratum", "conditional")
    assert KINDS == ("behaviour", "performance", "guidance", "example")


def test_a_claim_in_an_unknown_section_is_rejected() -> None:
    """The catalogue checks each claim's section."""
    with pytest.raises(ValueError, match="claim X-1 names unknown section 'X'"):
        Catalogue([Section("A", "a")], [Claim("X-1", "X", "behaviour", "text")])


def test_a_claim_of_an_unknown_kind_is_rejected() -> None:
    """The catalogue checks each claim's kind."""
    with pytest.raises(ValueError, match="claim A-1 has unknown kind 'rumour'"):
        Catalogue([Section("A", "a")], [Claim("A-1", "A", "rumour", "text")])


# --- the claims and the note they come from ----------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
# The project's shared files lie beside the checkout (CI copies them there too); a copy of the
# package elsewhere (an sdist) has no note, and the tests that read it say so.
NOTE = ROOT.parent / (load_catalogue().note.path if load_catalogue().note else "")
needs_the_note = pytest.mark.skipif(
    not NOTE.is_file(), reason=f"the study note is not at {NOTE} (it lies beside the checkout)"
)
# The shortest run of the note's own Korean characters (spaces and punctuation left out) that
# counts as copied: about three words.
COPIED_RUN = 10


def test_every_claim_names_the_lines_of_the_note_it_comes_from() -> None:
    """Each claim records its note line(s), inside the note (the catalogue knows its length)."""
    catalogue = load_catalogue()
    assert catalogue.note is not None
    for claim in catalogue:
        assert claim.note_lines, f"{claim.id} has no note_lines"
        assert all(1 <= n <= catalogue.note.lines for n in claim.note_lines), claim.id


@needs_the_note
def test_the_note_has_the_length_the_catalogue_records() -> None:
    """The line numbers point into this version of the note: it has the recorded length."""
    catalogue = load_catalogue()
    assert catalogue.note is not None
    assert len(NOTE.read_text("utf-8").splitlines()) == catalogue.note.lines


def hangul_runs(text: str) -> list[str]:
    """The runs of Korean syllables in ``text``, with spaces and punctuation taken out."""
    squeezed = re.sub(r"[\s\W_]+", "", text)
    return re.findall(r"[\uac00-\ud7a3]+", squeezed)


@needs_the_note
def test_no_claim_text_copies_a_run_of_the_notes_own_words() -> None:
    """Claims are in our words: no claim text holds COPIED_RUN Korean syllables in a row that
    the note has in that order (spaces and punctuation aside)."""
    note = "".join(hangul_runs(NOTE.read_text("utf-8")))
    copied = []
    for claim in load_catalogue():
        for text in [claim.text, getattr(claim, "text_ko", "")]:
            squeezed = "".join(hangul_runs(text))
            copied += [
                (claim.id, squeezed[i : i + COPIED_RUN])
                for i in range(len(squeezed) - COPIED_RUN + 1)
                if squeezed[i : i + COPIED_RUN] in note
            ]
    assert copied == []


def test_the_copy_check_finds_a_copied_run() -> None:
    """The check above can fail: a run taken from a Korean text is found in it."""
    text = "동시성은 여러 작업을 함께 진행하는 방법이다"
    runs = "".join(hangul_runs(text))
    assert runs[:COPIED_RUN] in "".join(hangul_runs(f"앞부분 {text} 뒷부분"))


def test_note_lines_read_as_ranges() -> None:
    """A claim shows its lines as ranges: ``note lines 46, 98-99``."""
    claim = Claim("A-1", "A", "behaviour", "text", (99, 46, 98))
    assert claim.note_lines_text == "note lines 46, 98-99"
    assert Claim("A-1", "A", "behaviour", "text", (53,)).note_lines_text == "note line 53"


def test_a_line_past_the_end_of_the_note_is_rejected() -> None:
    """The catalogue checks each claim's lines against the note's length."""
    with pytest.raises(ValueError, match="point past the note's last line"):
        Catalogue(
            [Section("A", "a")],
            [Claim("A-1", "A", "behaviour", "text", (2000,))],
            Note("note.txt", 956),
        )


def test_every_claim_has_its_korean_text() -> None:
    """Each claim is written in Korean too (for the note's readers), in our words."""
    for claim in load_catalogue():
        assert claim.text_ko.strip(), f"{claim.id} has no text_ko"
        assert claim.text_in("ko") == claim.text_ko
        assert claim.text_in("en") == claim.text
