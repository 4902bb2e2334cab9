"""The claims book (``pytest_concurrency.claims.book``): the pages the documentation site
generates, one per section of the note, from the catalogue, the spec tree and the committed
snapshots in ``docs/_data``; and the links to it, from a failing spec's report and from the
HTML matrix.

Most tests write the book into a temporary folder and read its Markdown; two build it with
Sphinx (skipped where Sphinx and MyST are not installed, as on the plain test envs; tox's docs
env has them).

The committed snapshot must be dated. Its age is recorded (``record_property``: in the JUnit
XML and ``-rA``) and, past ``STALE_AFTER_DAYS`` (90), a warning says to refresh it: the
snapshot ages with the calendar, not with the code, so a test that failed on age alone would
break a checkout that nobody changed.
"""

from __future__ import annotations

import copy
import datetime
import html
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_concurrency.claims import book
from pytest_concurrency.claims.catalogue import load_catalogue
from pytest_concurrency.claims.cli import main
from pytest_concurrency.claims.spec_index import claims_with_specs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
DATA = ROOT / "docs" / "_data"
MATRIX = DATA / "claims-matrix.json"
SENSITIVITY = DATA / "sensitivity.json"
TODAY = datetime.date(2026, 12, 4)

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">|`x`|{ref}`y`|[z](javascript:3)'


#: An absolute path of a machine, anywhere in a string (a checkout, a home, a temporary dir).
MACHINE_PATH = re.compile(r"(?:^|[\s'\"(=])(?:/(?:home|root|tmp|work|check|Users)/|[A-Za-z]:\\)")


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The book of the committed snapshots, as write_book writes it."""
    out = tmp_path_factory.mktemp("book")
    book.write_book(
        out, matrix=load(MATRIX), sensitivity=load(SENSITIVITY), specs_dir=SPECS, today=TODAY
    )
    return {path.name: path.read_text("utf-8") for path in out.glob("*.md")}


def block(pages: dict[str, str], claim_id: str) -> str:
    """One claim's part of its section page: from its label to the next claim's."""
    page = pages[f"{book.page_name(load_catalogue().get(claim_id).section)}.md"]
    start = page.index(f"({book.anchor(claim_id)})=\n")
    following = page.find("\n(claim-", start + 1)
    return page[start : following if following >= 0 else len(page)]


def visible(page: str) -> str:
    """The text of an HTML page as a reader sees it (straight quotes, single spaces)."""
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    shown = shown.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))
    return " ".join(shown.split())


def outside_code(page: str) -> str:
    """The page without its code blocks and code spans (whose content is never markup)."""
    page = re.sub(r"^(`{3,})[^\n]*\n.*?^\1$", "", page, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"(?<![\\`])(`+)(?!`).+?(?<!`)\1(?!`)", "", page)


# --- The pages --------------------------------------------------------------------------------


def test_the_book_has_an_index_and_a_page_per_section(pages: dict[str, str]) -> None:
    sections = load_catalogue().sections
    assert set(pages) == {"index.md", *(f"{s.lower()}.md" for s in sections)}
    index = pages["index.md"]
    toctree = index.split("```{toctree}\n:maxdepth: 1\n\n", 1)[1].split("\n```\n", 1)[0]
    assert toctree.splitlines() == [s.lower() for s in sections]


def test_every_claim_has_its_anchor_and_both_texts_on_its_section_page(
    pages: dict[str, str],
) -> None:
    for claim in load_catalogue():
        page = pages[f"{claim.section.lower()}.md"]
        assert page.count(f"({book.anchor(claim.id)})=\n## {claim.id}\n") == 1, claim.id
        assert f"**English:** {book.prose(claim.text)}\n" in page, claim.id
        assert claim.text_ko, claim.id
        assert f"**한국어:** {book.prose(claim.text_ko)}\n" in page, claim.id
        where = claim.note_lines_text.replace("note line", "line")
        assert f", from {where} of the study note (" in page, claim.id
        assert f"{{ref}}`{book.anchor(claim.id)}`" in pages["index.md"], claim.id


def test_each_claim_lists_its_specs_with_their_source(pages: dict[str, str]) -> None:
    specs = book.read_specs(SPECS)
    assert set(specs) == claims_with_specs(SPECS)
    for claim_id, found in specs.items():
        text = block(pages, claim_id)
        for spec in found:
            assert f"{book.code(spec.name)} ({book.code(spec.file)}, line {spec.line})" in text
            assert book.fence(spec.source) in text
            assert f"def {spec.name.split('::')[-1]}(" in spec.source
            assert spec.source.lstrip().startswith("@"), spec.name  # decorators included
    for claim in load_catalogue():
        if claim.id not in specs:
            assert "no spec checks this claim yet" in block(pages, claim.id)


def test_a_notes_constant_is_resolved_from_the_spec_module(pages: dict[str, str]) -> None:
    """CF-16's erratum note is a module constant; its text, not its name, is shown."""
    text = block(pages, "CF-16")
    assert "HANDED_TO_A_PROCESS" not in outside_code(text)
    assert "a process pool hands it to a worker process" in text
    assert "- **erratum** by `test_a_process_pool_runs_work_in_another_process`" in text
    assert "- **holds** by `test_a_thread_pool" in text
    assert "where `executor_kinds('thread')`" in text


def test_each_claim_shows_its_verdict_on_each_column_of_the_snapshot(
    pages: dict[str, str],
) -> None:
    matrix = load(MATRIX)
    labels = [column["label"] for column in matrix["columns"]]
    rows = {row["id"]: row for row in matrix["rows"]}
    for claim in load_catalogue():
        text = block(pages, claim.id)
        table = [line for line in text.splitlines() if line.startswith("| ")][1:]
        assert [line.split(" | ")[0][2:] for line in table] == labels, claim.id
        for line, cell in zip(table, rows[claim.id]["cells"], strict=True):
            assert line.split(" | ")[1:3] == [cell["verdict"] or "-", cell["outcome"]]
    cf16 = block(pages, "CF-16")
    assert "| holds: unparametrized; erratum: process-fork, process-forkserver" in cf16


def test_each_claim_says_which_alterations_made_its_specs_fail_and_how_fast(
    pages: dict[str, str],
) -> None:
    record = load(SENSITIVITY)
    seconds = {a["name"]: a["seconds"] for a in record["alterations"]}
    for claim_id, entry in record["claims"].items():
        text = block(pages, claim_id)
        if entry["caught_by"]:
            for name in entry["caught_by"]:
                assert f"- `{name}`: caught in {seconds[name]:g} s" in text
        else:
            assert "**Not shown to fail:**" in text, claim_id
    assert "a guidance claim states advice" in block(pages, "AIO-2")


def test_the_index_says_how_to_read_a_verdict_and_how_the_book_is_made(
    pages: dict[str, str],
) -> None:
    index = pages["index.md"]
    for words in ("**holds**", "**erratum**", "**conditional**", "**confirmed**"):
        assert words in index
    assert "## How this book is made" in index
    assert "tools/refresh-claims-snapshot" in index
    assert re.search(r"The claims matrix was taken on \d{4}-\d\d-\d\d, ", index)


# --- The committed snapshot -------------------------------------------------------------------


def test_the_committed_snapshot_knows_every_claim_and_no_other() -> None:
    catalogue = load_catalogue()
    matrix, record = load(MATRIX), load(SENSITIVITY)
    assert [row["id"] for row in matrix["rows"]] == [claim.id for claim in catalogue], (
        "the claims matrix snapshot is stale: run the full matrix, then "
        "tools/refresh-claims-snapshot"
    )
    assert [s["id"] for s in matrix["sections"]] == list(catalogue.sections)
    assert all(len(row["cells"]) == len(matrix["columns"]) for row in matrix["rows"])
    assert sorted(record["claims"]) == sorted(claim.id for claim in catalogue)


@pytest.mark.parametrize("path", [MATRIX, SENSITIVITY], ids=lambda p: p.name)
def test_the_committed_snapshot_is_dated_and_its_age_is_reported(
    path: Path, record_property: Callable[[str, object], None]
) -> None:
    taken = load(path).get("snapshot_taken")
    assert taken, f"{path.name} has no snapshot_taken: write it with tools/refresh-claims-snapshot"
    age = (datetime.date.today() - datetime.date.fromisoformat(taken)).days
    record_property(f"{path.stem}_age_days", age)
    assert age >= 0, f"{path.name} is dated in the future ({taken})"
    if age > book.STALE_AFTER_DAYS:
        warnings.warn(
            f"{path.name} is {age} days old: refresh it (tools/refresh-claims-snapshot)",
            UserWarning,
            stacklevel=1,
        )


def test_the_committed_snapshot_names_no_path_of_the_machine_it_ran_on() -> None:
    def strings(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    for path in (MATRIX, SENSITIVITY):
        document = load(path)
        assert not [s for s in strings(document) if MACHINE_PATH.search(s)], path.name
        assert document["snapshot_source"]["file"].startswith(".tox/"), path.name


def test_the_refresh_tool_strips_paths_and_dates_the_copies(tmp_path: Path) -> None:
    matrix = load(MATRIX)
    matrix["columns"][0]["source"] = "/home/someone/checkout/.tox/claims/py310.json"
    matrix["columns"][0]["interpreter"]["executable"] = "C:\\Python312\\python.exe"
    matrix["rows"][0]["notes"] = [f"see {ROOT}/specs/x.py"]
    source = tmp_path / "matrix.json"
    source.write_text(json.dumps(matrix), "utf-8")
    out = tmp_path / "out"

    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "refresh-claims-snapshot"),
            "--matrix",
            str(source),
            "--sensitivity",
            str(tmp_path / "none.json"),
            "--date",
            "2026-01-02",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "no sensitivity record" in finished.stdout
    copied = load(out / "claims-matrix.json")
    assert copied["snapshot_taken"] == "2026-01-02"
    assert copied["snapshot_source"]["file"] == "matrix.json"  # outside the checkout: its name
    assert copied["columns"][0]["source"] == "py310.json"
    assert copied["columns"][0]["interpreter"]["executable"] == "python.exe"
    assert copied["rows"][0]["notes"] == ["see specs/x.py"]
    assert not (out / "sensitivity.json").exists()


# --- Escaping ---------------------------------------------------------------------------------


def test_strings_are_escaped_as_data() -> None:
    assert book.text("<b>&</b> *x* [y](z) a|b `c`") == (
        r"&lt;b&gt;&amp;&lt;/b&gt; \*x\* \[y\](z) a\|b \`c\`"
    )
    assert book.text("# heading\n\nnext") == r"\# heading next"
    assert book.text("1. item") == r"1\. item"
    assert book.text("% comment") == r"\% comment"
    assert book.prose("the `asyncio.run()` call <now>") == r"the `asyncio.run()` call &lt;now&gt;"
    assert book.prose("a lone ` tick") == r"a lone \` tick"
    assert book.code("a``b") == "```a``b```"
    assert book.code("`x") == "`` `x ``"
    assert book.fence("s = '````'\n") == "`````python\ns = '````'\n`````"


@pytest.fixture
def hostile_book(tmp_path: Path) -> Path:
    """The book of snapshots whose every string is markup, and of a spec whose docstring and
    note are."""
    matrix, record = load(MATRIX), load(SENSITIVITY)
    matrix["snapshot_source"] = {"file": HOSTILE, "commit": HOSTILE}
    matrix["columns"][0]["label"] = HOSTILE
    for row in matrix["rows"]:
        row["cells"][0] = {
            "verdict": HOSTILE,
            "outcome": HOSTILE,
            "verdicts_by_condition": {HOSTILE: HOSTILE},
            "skip_reasons": [HOSTILE],
            "skipped": [HOSTILE],
            "explored": [HOSTILE],
        }
    matrix["rows"].append(copy.deepcopy(matrix["rows"][0]) | {"id": HOSTILE})
    record["python"] = record["implementation"] = HOSTILE
    record["alterations"].append(
        {"name": HOSTILE, "claims": ["BAS-5"], "outcome": HOSTILE, "reason": HOSTILE}
    )
    record["claims"]["BAS-1"]["caught_by"] = [HOSTILE]
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "test_hostile.py").write_text(
        "import pytest\n\n"
        f"NOTE = {HOSTILE!r}\n\n\n"
        '@pytest.mark.claim("BAS-2", verdict="erratum", note=NOTE + "```")\n'
        "def test_hostile():\n"
        f"    {(HOSTILE + chr(10) + '# not a heading' + chr(10) + '```')!r}\n"
        "    assert '``````'\n",
        "utf-8",
    )
    out = tmp_path / "site" / "claims"
    book.write_book(out, matrix=matrix, sensitivity=record, specs_dir=specs, today=TODAY)
    return out


def test_a_hostile_snapshot_and_spec_make_pages_with_no_markup_of_theirs(
    hostile_book: Path,
) -> None:
    for path in hostile_book.glob("*.md"):
        page = path.read_text("utf-8")
        prose = outside_code(page)
        assert not re.search(r"<[A-Za-z/!?]", prose), path.name
        assert "javascript:" not in prose.replace(r"\](javascript:", ""), path.name
        assert not re.search(r"(?<!\\)\{ref\\?\}`y", prose), path.name
        header_pipes = None
        for line in page.splitlines():
            pipes = len(re.findall(r"(?<!\\)\|", line))
            if not line.startswith("|"):
                header_pipes = None  # a table ends at the first line that is not a row
            elif header_pipes is None:
                header_pipes = pipes  # the table's header row
            else:  # a row: exactly as many cells as its header (an unescaped | adds one)
                assert pipes == header_pipes, (path.name, line)
    bas = (hostile_book / "bas.md").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bas
    assert "\n# not a heading" not in bas
    index = (hostile_book / "index.md").read_text("utf-8")
    assert "IDs of the snapshot the catalogue no longer has: &lt;script&gt;" in index


def test_a_missing_snapshot_still_makes_a_book_that_says_so(tmp_path: Path) -> None:
    book.write_book(tmp_path, matrix=None, sensitivity=None, specs_dir=SPECS, today=TODAY)

    index = (tmp_path / "index.md").read_text("utf-8")
    assert "No snapshot of a run" in index
    assert "No sensitivity record" in index
    cf = (tmp_path / "cf.md").read_text("utf-8")
    assert "(claim-cf-7)=" in cf
    assert "**In the snapshot:**" not in cf


def test_an_undated_or_old_snapshot_says_so(tmp_path: Path) -> None:
    matrix = load(MATRIX)
    del matrix["snapshot_taken"]
    old = load(SENSITIVITY) | {"snapshot_taken": "2026-01-01"}

    pages = book.render_book(matrix=matrix, sensitivity=old, specs_dir=SPECS, today=TODAY)

    assert "The claims matrix, from .tox/claims/matrix.json" in pages["index.md"]
    assert "is undated (no `snapshot_taken`)" in pages["index.md"]
    assert "```{warning}\nThe sensitivity record is 337 days old" in pages["index.md"]


def test_a_snapshot_of_another_schema_is_refused() -> None:
    with pytest.raises(book.SnapshotError, match="not a pytest-concurrency-specs/claims-matrix"):
        book.render_book(matrix={"schema": "other"}, sensitivity=None, specs_dir=SPECS)


def test_unchanged_pages_are_not_rewritten_and_stale_ones_go(tmp_path: Path) -> None:
    """Only the book's own files (marked GENERATED on their first line) are replaced or
    removed; a file of someone else's stops the book from being written over it."""
    book.write_book(tmp_path, matrix=None, sensitivity=None, specs_dir=SPECS, today=TODAY)
    (tmp_path / "old-section.md").write_text(f"{book.GENERATED}\n\ngone", "utf-8")
    (tmp_path / "notes.md").write_text("someone's notes", "utf-8")
    before = (tmp_path / "cf.md").stat().st_mtime_ns

    book.write_book(tmp_path, matrix=None, sensitivity=None, specs_dir=SPECS, today=TODAY)

    assert (tmp_path / "cf.md").stat().st_mtime_ns == before
    assert not (tmp_path / "old-section.md").exists()
    assert (tmp_path / "notes.md").read_text("utf-8") == "someone's notes"
    (tmp_path / "cf.md").write_text("someone's page", "utf-8")
    with pytest.raises(ValueError, match="not a page of the claims book"):
        book.write_book(tmp_path, matrix=None, sensitivity=None, specs_dir=SPECS, today=TODAY)


# --- Built with Sphinx ------------------------------------------------------------------------


def sphinx_build(book_dir: Path, tmp_path: Path) -> tuple[Path, str]:
    """Build a site of the book alone, as the docs env builds the whole (``-W -n``)."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    source = book_dir.parent
    (source / "conf.py").write_text(
        'extensions = ["myst_parser"]\nexclude_patterns = ["specs"]\n'
        'myst_enable_extensions = ["colon_fence", "deflist"]\nmyst_heading_anchors = 3\n',
        "utf-8",
    )
    (source / "index.md").write_text(
        "# Site\n\n```{toctree}\n" + book_dir.name + "/index\n```\n", "utf-8"
    )
    out = tmp_path / "html"
    paths = [str(source), str(out)]
    finished = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    return out, finished.stdout + finished.stderr + f"exit status {finished.returncode}"


def test_the_book_builds_with_sphinx_without_a_warning(tmp_path: Path) -> None:
    book_dir = tmp_path / "site" / "claims"
    book.write_book(
        book_dir, matrix=load(MATRIX), sensitivity=load(SENSITIVITY), specs_dir=SPECS, today=TODAY
    )

    out, log = sphinx_build(book_dir, tmp_path)

    assert log.strip() == "exit status 0", log
    aio = (out / "claims" / "aio.html").read_text("utf-8")
    shown = visible(aio)
    for claim in load_catalogue().in_section("AIO"):
        assert f'<section id="{book.anchor(claim.id)}">' in aio
        assert f"한국어: {claim.text_ko.replace('`', '')}" in shown, claim.id
        assert f"English: {claim.text.replace('`', '')}" in shown, claim.id
    index = (out / "claims" / "index.html").read_text("utf-8")
    assert 'href="aio.html#claim-aio-4"' in index


def test_a_hostile_book_builds_into_html_with_no_tag_of_its_own(
    hostile_book: Path, tmp_path: Path
) -> None:
    out, log = sphinx_build(hostile_book, tmp_path)

    assert log.strip() == "exit status 0", log
    for page in (out / "claims").glob("*.html"):
        html = page.read_text("utf-8")
        assert "<script>alert" not in html, page.name
        assert "<img src=x" not in html, page.name
        assert 'href="javascript' not in html, page.name
    assert "&lt;img src=x onerror=" in (out / "claims" / "bas.html").read_text("utf-8")


# --- Links to the book ------------------------------------------------------------------------


def test_book_url_points_at_the_claims_heading_on_its_section_page() -> None:
    assert book.book_url("AIO-4") == (
        "https://pytest-concurrency-specs.readthedocs.io/en/latest/claims/aio.html#claim-aio-4"
    )
    assert book.book_url("X-1", "https://a.example/docs", section="EX") == (
        "https://a.example/docs/claims/ex.html#claim-x-1"
    )
    with pytest.raises(ValueError, match="cannot name a page"):
        book.book_url("<x>", section="EX")


def test_the_default_book_url_is_the_projects_documentation_url() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["urls"]["Documentation"] == book.DEFAULT_BOOK_URL


FAILING_SPEC = """
import pytest

@pytest.mark.claim("CF-7", verdict="erratum", note="not five per CPU")
@pytest.mark.claim("BAS-1")
def test_fails():
    assert False

@pytest.mark.claim("CF-8")
def test_passes():
    pass

def test_no_claim_fails():
    assert False
"""


def test_a_failing_spec_links_to_its_claims_pages(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FAILING_SPEC)

    result = pytester.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, failed=2)
    base = book.DEFAULT_BOOK_URL
    section = result.stdout.lines.index(next(x for x in result.stdout.lines if "claims book" in x))
    assert sorted(result.stdout.lines[section + 1 : section + 3]) == [
        f"claim BAS-1: {base}claims/bas.html#claim-bas-1",
        f"claim CF-7: {base}claims/cf.html#claim-cf-7",
    ]
    assert result.stdout.str().count("claims book") == 1  # not for the test without a claim
    assert "claim CF-8:" not in result.stdout.str()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("claims_book_url = https://fork.example/book", "https://fork.example/book/claims/"),
        ("claims_book_url =", None),
    ],
    ids=["another-url", "empty"],
)
def test_the_ini_option_sets_or_removes_the_link(
    pytester: pytest.Pytester,
    make_ini: Callable[[str], None],
    setting: str,
    expected: str | None,
) -> None:
    make_ini(setting)
    pytester.makepyfile(FAILING_SPEC)

    output = pytester.runpytest("-p", "no:cacheprovider").stdout.str()

    if expected is None:
        assert "claims book" not in output
        assert "claim CF-7:" not in output
    else:
        assert f"claim CF-7: {expected}cf.html#claim-cf-7" in output


def test_the_html_matrix_links_each_claim_id_to_its_book_page(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(FAILING_SPEC)
    pytester.runpytest("-p", "no:cacheprovider", "--claims-report=run.json")
    report = pytester.path / "run.json"

    assert main(["merge", str(report), "-o", str(tmp_path / "m.html")]) == 0
    other = "https://fork.example/book"
    assert main(["merge", str(report), "-o", str(tmp_path / "o.html"), "--book-url", other]) == 0
    assert main(["merge", str(report), "-o", str(tmp_path / "n.html"), "--book-url", ""]) == 0

    page = (tmp_path / "m.html").read_text("utf-8")
    for claim in load_catalogue():
        href = book.book_url(claim.id)
        assert f'<a href="{href}" title="this claim in the claims book">{claim.id}</a>' in page
    assert 'href="https://fork.example/book/claims/cf.html#claim-cf-7"' in (
        tmp_path / "o.html"
    ).read_text("utf-8")
    plain = (tmp_path / "n.html").read_text("utf-8")
    assert "claims book" not in plain
    assert re.search(r'<a href="[^"]*\.py#L\d+">CF-7</a>', plain)


def test_a_runs_own_html_report_has_no_outside_link(pytester: pytest.Pytester) -> None:
    """The report a run writes stays one self-contained page: its IDs link to its specs."""
    pytester.makepyfile(FAILING_SPEC)
    pytester.runpytest("-p", "no:cacheprovider", "--claims-report=claims.html")

    page = (pytester.path / "claims.html").read_text("utf-8")
    assert "https://" not in page
    assert re.search(r'<a href="[^"]*#L\d+">CF-7</a>', page)
