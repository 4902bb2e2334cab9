"""The documentation's examples are tests: every Python block of the README and of the
guide that defines a test must pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = {"readme": ROOT / "README.md", "guide": ROOT / "docs" / "guide.md"}


def _examples(path: Path) -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", path.read_text("utf-8"), flags=re.DOTALL)
    return [block for block in blocks if re.search(r"^(async )?def test_", block, re.MULTILINE)]


EXAMPLES = {
    f"{name}-{i}": example
    for name, path in DOCUMENTS.items()
    for i, example in enumerate(_examples(path))
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_has_examples_to_run(name: str) -> None:
    assert len(_examples(DOCUMENTS[name])) >= 3


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_documented_example_passes(pytester: pytest.Pytester, example: str) -> None:
    pytester.makepyfile(test_example=example)

    result = pytester.runpytest("-p", "no:cacheprovider")

    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1
    assert set(outcomes) <= {"passed", "warnings"}, result.stdout.str()
