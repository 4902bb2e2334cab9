"""The fixtures' reference: ``pytest --fixtures`` documents every fixture the plugin offers."""

from __future__ import annotations

import re

import pytest

from pytest_concurrency import fixtures


@pytest.mark.parametrize("name", fixtures.__all__)
def test_pytest_fixtures_shows_each_fixture_with_its_docstring(
    pytester: pytest.Pytester, name: str
) -> None:
    function = getattr(fixtures, name)
    docstring = getattr(function, "__doc__", None) or ""
    first_words = " ".join(docstring.split()[:4])
    assert first_words, f"the fixture {name} has no docstring"

    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")

    # A session fixture is listed as "name [session scope] -- ...".
    entry = re.split(rf"\n{name}(?: \[\w+ scope\])? -- ", result.stdout.str(), maxsplit=1)[1]
    entry = entry.split("\n\n", 1)[0]
    assert "pytest_concurrency" in entry.splitlines()[0]  # defined by the plugin
    assert first_words in " ".join(entry.split())
