"""The documentation's examples are tests: every Python block of the README and of the pages
in docs/ that defines a test must pass; the README stays short and its links resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = {
    "readme": ROOT / "README.md",
    "guide": ROOT / "docs" / "guide.md",
    "plugin": ROOT / "docs" / "plugin.md",
    "specs": ROOT / "docs" / "specs.md",
    "development": ROOT / "docs" / "development.md",
}
# The pages that teach by example; the others run whatever examples they have.
TEACHING = ("readme", "guide")


def _examples(path: Path) -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", path.read_text("utf-8"), flags=re.DOTALL)
    return [block for block in blocks if re.search(r"^(async )?def test_", block, re.MULTILINE)]


EXAMPLES = {
    f"{name}-{i}": example
    for name, path in DOCUMENTS.items()
    for i, example in enumerate(_examples(path))
}


@pytest.mark.parametrize("name", TEACHING)
def test_each_document_has_examples_to_run(name: str) -> None:
    assert len(_examples(DOCUMENTS[name])) >= 3


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_documented_example_passes(pytester: pytest.Pytester, example: str) -> None:
    pytester.makepyfile(test_example=example)

    result = pytester.runpytest("-p", "no:cacheprovider")

    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1
    assert set(outcomes) <= {"passed", "warnings"}, result.stdout.str()


def test_the_readme_stays_short_and_its_links_resolve() -> None:
    """What, how to start, a taste and where to read on: near 150 lines; every relative link
    of the README and the docs pages names a file that exists, and an anchor a heading of it."""
    assert len(DOCUMENTS["readme"].read_text("utf-8").splitlines()) <= 160
    for path in DOCUMENTS.values():
        for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text("utf-8")):
            if "://" in target:
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            assert linked.exists(), f"{path.name}: {target}"
            if anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", linked.read_text("utf-8"), re.MULTILINE)
                slugs = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}
                assert anchor in slugs, f"{path.name}: {target}"
