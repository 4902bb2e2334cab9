"""The catalogue of claims: loaded from the package, checked, looked up by ID."""

from __future__ import annotations

import re

import pytest

from pytest_concurrency import VERDICTS, load_catalogue
from pytest_concurrency.claims.catalogue import KINDS, Catalogue, Claim, Section


def test_the_catalogue_ships_with_the_package_and_is_cached() -> None:
    """load_catalogue reads catalogue.toml once; every call gives the same object."""
    catalogue = load_catalogue()
    assert catalogue is load_catalogue()
    assert len(catalogue) == len(list(catalogue)) > 0


def test_every_claim_has_a_well_formed_id_in_its_section() -> None:
    """IDs read SECTION-N, numbered from 1 without gaps within each section."""
    catalogue = load_catalogue()
    for section in catalogue.sections:
        numbers = [int(c.id.split("-")[1]) for c in catalogue.in_section(section)]
        assert numbers == list(range(1, len(numbers) + 1)), section
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
