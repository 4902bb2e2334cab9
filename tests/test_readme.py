"""The documentation's examples are tests: every code block of the README and of the site's
hand-written pages (docs/**/*.md) is run or checked, so the docs never show what does not work.

- ```python blocks are test files, run with the plugin; a block whose first line is
  ``# conftest.py`` is the conftest of the next block of its page; one whose first line is
  ``# fragment: <why>`` is compiled only.
- ```toml and ```ini blocks parse.
- ```console blocks: every ``pytest --option`` they show is an option pytest knows here.

The README stays short, and its links into the site name pages and headings that exist.
"""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_concurrency.claims import load_catalogue

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
#: Pages generated at build time (they show the specs' own source) or kept as records.
NOT_HAND_WRITTEN = ("claims", "reference/generated", "reviews", "_build")
#: Where the site is published; the README links there (see [project.urls] Documentation).
SITE_URL = "https://pytest-concurrency-specs.readthedocs.io/en/latest/"


def _pages() -> dict[str, Path]:
    pages = {"README": README}
    for path in sorted(DOCS.rglob("*.md")):
        relative = path.relative_to(DOCS).as_posix()
        if not relative.startswith(NOT_HAND_WRITTEN):
            pages[relative.removesuffix(".md")] = path
    return pages


PAGES = _pages()
_FENCE = re.compile(r"^(`{3,})(\w+)[^\n]*\n(.*?)^\1\s*$", re.DOTALL | re.MULTILINE)


def _blocks(path: Path, language: str) -> list[str]:
    return [body for _, lang, body in _FENCE.findall(path.read_text("utf-8")) if lang == language]


def _python_examples(path: Path) -> list[tuple[str, str | None]]:
    """The page's test files, each with the conftest shown just before it (if any)."""
    examples: list[tuple[str, str | None]] = []
    conftest: str | None = None
    for block in _blocks(path, "python"):
        first = block.splitlines()[0] if block.strip() else ""
        if first.startswith("# conftest.py"):
            conftest = block
        elif first.startswith("# fragment:"):
            continue
        else:
            examples.append((block, conftest))
            conftest = None
    return examples


EXAMPLES = {
    f"{name}-{i}": example
    for name, path in PAGES.items()
    for i, example in enumerate(_python_examples(path))
}
FRAGMENTS = {
    f"{name}-{i}": block
    for name, path in PAGES.items()
    for i, block in enumerate(b for b in _blocks(path, "python") if b.startswith("# fragment:"))
}


def test_the_readme_and_the_guide_teach_by_example() -> None:
    guide = [e for name, e in EXAMPLES.items() if name.startswith("guide/")]
    readme = [e for name, e in EXAMPLES.items() if name.startswith("README-")]
    assert len(readme) >= 3
    assert len(guide) >= 10


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_documented_example_passes(
    pytester: pytest.Pytester, example: tuple[str, str | None]
) -> None:
    test_file, conftest = example
    if conftest is not None:
        pytester.makeconftest(conftest)
    pytester.makepyfile(test_example=test_file)

    result = pytester.runpytest("-p", "no:cacheprovider")

    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1, result.stdout.str()
    assert set(outcomes) <= {"passed", "warnings"}, result.stdout.str()


@pytest.mark.parametrize("fragment", FRAGMENTS.values(), ids=FRAGMENTS.keys())
def test_documented_fragment_compiles(fragment: str) -> None:
    compile(fragment, "<fragment>", "exec")


def test_every_python_block_is_a_test_a_conftest_or_a_named_fragment() -> None:
    """A block that is none of these would be neither run nor compiled."""
    for name, path in PAGES.items():
        for block in _blocks(path, "python"):
            first = block.splitlines()[0] if block.strip() else ""
            is_test = re.search(r"^(async )?def test_", block, re.MULTILINE) is not None
            named = first.startswith(("# conftest.py", "# fragment:"))
            assert is_test or named, f"{name}: a python block that runs no test:\n{block}"


def test_every_toml_and_ini_block_parses() -> None:
    for path in PAGES.values():
        for block in _blocks(path, "toml"):
            tomllib.loads(block)
        for block in _blocks(path, "ini"):
            configparser.ConfigParser().read_string(block)


@pytest.fixture(scope="module")
def known_options() -> set[str]:
    """Every long option pytest offers here, with this plugin and the test extras installed."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    )
    return set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", done.stdout))


def test_every_pytest_option_shown_in_a_console_block_exists(known_options: set[str]) -> None:
    shown = set()
    for name, path in PAGES.items():
        for block in _blocks(path, "console"):
            for line in block.splitlines():
                command = line.removeprefix("$ ")
                if re.match(r"(python -m )?pytest\b", command):
                    shown |= {(name, o) for o in re.findall(r"\s(--[a-z][\w-]*)", command)}
    unknown = sorted((name, option) for name, option in shown if option not in known_options)
    assert unknown == []


def _slug(heading: str) -> str:
    """The anchor MyST (myst_heading_anchors) and GitHub give a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readme_stays_short_and_its_links_resolve() -> None:
    """What, how to start, a taste and where to read on, in at most 150 lines; each link to
    the site names a page of docs/ (and a heading of it), each relative link a file."""
    text = README.read_text("utf-8")
    assert len(text.splitlines()) <= 150
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(SITE_URL):
            page, _, anchor = target.removeprefix(SITE_URL).partition("#")
            page = page.removesuffix(".html") or "index"
            if page.startswith("claims/"):  # the book is generated: a page per section
                sections = {section.lower() for section in load_catalogue().sections}
                assert page.removeprefix("claims/") in {"index", *sections}, f"README: {target}"
                continue
            source = DOCS / f"{page}.md"
            assert source.is_file(), f"README: {target} (no {source.relative_to(ROOT)})"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", source.read_text("utf-8"), re.MULTILINE)
                assert anchor in {_slug(h) for h in headings}, f"README: {target}"
        elif "://" not in target:
            file = target.partition("#")[0]
            assert (ROOT / file).exists(), f"README: {target}"
