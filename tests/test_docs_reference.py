"""The reference pages cover everything the plugin registers with pytest, each with a description.

``docs/_ext/plugin_reference.py`` generates the pages of ``docs/reference/generated/`` from the
plugin's registrations. These tests compare what it writes with what pytest itself shows a
project that has the plugin (``pytest --help``, ``--markers``, ``--fixtures`` and the hook
specifications, with the plugin and without it, ``-p no:concurrency``): an option, ini key,
marker, fixture or hook without an entry, or whose entry has no description, fails here. So do
a name of ``pytest_concurrency.__all__`` missing from ``docs/reference/api.md`` and a
``concurrency-claims`` command missing from the command's page.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import types
from pathlib import Path

import pytest

import pytest_concurrency
from pytest_concurrency.claims import cli

DOCS = Path(__file__).parents[1] / "docs"
GENERATOR = DOCS / "_ext" / "plugin_reference.py"
API_PAGE = DOCS / "reference" / "api.md"


def _load_generator() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("plugin_reference", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


reference = _load_generator()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The generated pages, by role (``options``, ``markers``, ...), written to a temporary
    folder as the Sphinx build writes them."""
    out = tmp_path_factory.mktemp("reference")
    reference.generate(out)
    return {role: (out / name).read_text("utf-8") for role, name in reference.PAGES.items()}


# --- what pytest shows ---------------------------------------------------------------------


def _output(pytester: pytest.Pytester, *args: str) -> str:
    result = pytester.runpytest(*args, "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    return result.stdout.str()


def _plugin_only(pytester: pytest.Pytester, parse: object, *args: str) -> set[str]:
    """What ``parse`` finds in pytest's output with the plugin, and not without it."""
    assert callable(parse)
    with_plugin = parse(_output(pytester, *args))
    without = parse(_output(pytester, *args, "-p", "no:concurrency"))
    found: set[str] = with_plugin - without
    return found


def _help_parts(text: str) -> tuple[str, str]:
    """``pytest --help`` as its options, and its ini keys (the part headed ``[pytest] ini-options
    in the first ...`` on pytest 8, ``[pytest] configuration options in ...`` on 9)."""
    options_part, ini_part = re.split(r"^\[pytest\] ", text, maxsplit=1, flags=re.MULTILINE)
    return options_part, ini_part.split("\nEnvironment variables", 1)[0]


def _help_options(text: str) -> set[str]:
    """The long options ``pytest --help`` lists (each at the start of an indented line)."""
    options_part = _help_parts(text)[0]
    return set(re.findall(r"^  (?:-\w[ ,][^\n]*?)?(--[\w-]+)", options_part, re.MULTILINE))


def _help_ini_keys(text: str) -> set[str]:
    """The ini keys ``pytest --help`` lists: ``  name (type): help``."""
    ini_part = _help_parts(text)[1]
    return set(re.findall(r"^  (\w+) \([^)]*\):", ini_part, re.MULTILINE))


def _listed_markers(text: str) -> set[str]:
    return set(re.findall(r"^@pytest\.mark\.(\w+)", text, re.MULTILINE))


def _listed_fixtures(text: str) -> set[str]:
    return set(re.findall(r"^(\w+)(?: \[\w+ scope\])? -- ", text, re.MULTILINE))


def _hookspecs(config: pytest.Config) -> set[str]:
    hook = config.pluginmanager.hook
    return {name for name in dir(hook) if getattr(getattr(hook, name), "spec", None) is not None}


# --- what the pages say --------------------------------------------------------------------


def _section(page: str, label: str) -> str | None:
    """The entry whose target is ``(label)=``: its heading and text, up to the next target or
    heading of its level or above; ``None`` when the page has no such entry."""
    lines = page.splitlines()
    if f"({label})=" not in lines:
        return None
    start = lines.index(f"({label})=")
    heading = lines[start + 1]
    level = len(heading) - len(heading.lstrip("#"))
    body = []
    for line in lines[start + 2 :]:
        over = re.match(r"(#+) ", line)
        if re.fullmatch(r"\([\w-]+\)=", line) or (over and len(over.group(1)) <= level):
            break
        body.append(line)
    return "\n".join([heading, *body])


def _description_words(section: str) -> list[str]:
    """The words of an entry's description: its text without the heading, the line of facts
    (``**scope:** ...``), fences and directives."""
    kept = []
    for line in section.splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith(("**", "```", "..", "|", "#")) or not stripped:
            continue
        kept.append(stripped)
    return re.findall(r"[A-Za-z]{2,}", " ".join(kept))


def _problems(page: str, kind: str, names: set[str]) -> list[str]:
    """Each of ``names`` (of entries of ``kind``) the page has no entry for, or an entry with
    no description (fewer than three words besides the heading and the facts)."""
    found = []
    for name in sorted(names):
        section = _section(page, reference.label(kind, name))
        if section is None:
            found.append(f"{kind} {name}: no entry")
        elif "(no help text)" in section or "(no docstring)" in section:
            found.append(f"{kind} {name}: no description")
        elif len(_description_words(section)) < 3:
            found.append(f"{kind} {name}: a description of fewer than three words")
    return found


# --- the tests -----------------------------------------------------------------------------


def test_every_option_has_an_entry_with_a_description(
    pytester: pytest.Pytester, pages: dict[str, str]
) -> None:
    options = _plugin_only(pytester, _help_options, "--help")

    assert "--start-methods" in options  # the parse found the plugin's options
    assert _problems(pages["options"], "option", options) == []


def test_every_ini_key_has_an_entry_with_a_description(
    pytester: pytest.Pytester, pages: dict[str, str]
) -> None:
    keys = _plugin_only(pytester, _help_ini_keys, "--help")

    assert "leak_check" in keys
    assert _problems(pages["options"], "ini", keys) == []


def test_every_marker_has_an_entry_with_a_description(
    pytester: pytest.Pytester, pages: dict[str, str]
) -> None:
    markers = _plugin_only(pytester, _listed_markers, "--markers")

    assert "claim" in markers
    assert _problems(pages["markers"], "marker", markers) == []


def test_every_fixture_has_an_entry_with_a_description(
    pytester: pytest.Pytester, pages: dict[str, str]
) -> None:
    fixtures = _plugin_only(pytester, _listed_fixtures, "--fixtures")

    assert {"executor", "steps"} <= fixtures
    assert _problems(pages["fixtures"], "fixture", fixtures) == []


def test_every_hook_has_an_entry_with_a_description(
    pytester: pytest.Pytester, pages: dict[str, str]
) -> None:
    hooks = _hookspecs(pytester.parseconfig()) - _hookspecs(
        pytester.parseconfig("-p", "no:concurrency")
    )

    assert "pytest_concurrency_executor_kinds" in hooks
    assert _problems(pages["hooks"], "hook", hooks) == []


def test_the_pages_list_nothing_of_pytest_itself(pages: dict[str, str]) -> None:
    """Only the plugin's own registrations: none of pytest's options, keys, markers, fixtures."""
    targets = re.findall(r"^\((\w+-[\w-]+)\)=$", "\n".join(pages.values()), re.MULTILINE)

    for of_pytest in ("option-maxfail", "ini-addopts", "marker-skipif", "fixture-tmp_path"):
        assert of_pytest not in targets


def test_every_name_of_the_public_api_has_an_entry_in_api_md() -> None:
    page = API_PAGE.read_text("utf-8")
    documented = set(
        re.findall(r"^\.\. auto\w+:: (?:pytest_concurrency\.)?(\w+)\s*$", page, re.MULTILINE)
    )

    assert len(pytest_concurrency.__all__) == 24
    assert sorted(set(pytest_concurrency.__all__) - documented) == []


def test_every_command_of_concurrency_claims_has_an_entry_with_its_arguments(
    pages: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``concurrency-claims --help`` names the commands; each has an entry that shows every
    argument its own ``--help`` lists."""
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    listed = re.search(r"\{([\w,-]+)\}", capsys.readouterr().out)
    assert listed is not None
    commands = listed.group(1).split(",")

    assert "merge" in commands
    assert _problems(pages["cli"], "cli", set(commands)) == []
    for command in commands:
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        arguments = set(re.findall(r"(?<![\w-])(--[\w-]+)", capsys.readouterr().out))
        section = _section(pages["cli"], reference.label("cli", command)) or ""
        assert sorted(a for a in arguments - {"--help"} if a not in section) == []


def test_the_schema_page_has_every_field_of_the_report(pages: dict[str, str]) -> None:
    import json

    schema = json.loads((DOCS / "claims-report.schema.json").read_text("utf-8"))

    for field_name in [*schema["properties"], *schema["$defs"]["claim"]["properties"]]:
        assert f"| `{field_name}` |" in pages["report-schema"]


def test_the_check_finds_a_missing_entry_and_an_empty_description() -> None:
    """The checks themselves can fail: an option the page lacks, and one with no help."""
    found = reference.Registrations(
        options=[
            reference.Option(("--told",), "told", "X", "what it does", None, None, "value", "g"),
            reference.Option(("--mute",), "mute", "X", "", None, None, "value", "g"),
        ]
    )
    page = reference.options_page(found)

    assert _problems(page, "option", {"--told", "--mute", "--gone"}) == [
        "option --gone: no entry",
        "option --mute: no description",
    ]


def test_text_reaching_markdown_is_escaped() -> None:
    """No raw HTML, table cell break or emphasis comes through from a help text."""
    text = reference.prose("<b>bold</b> & a|b *x* [y](z) --opt=A|B", table=True)

    assert "<b>" not in text
    assert "&" not in text.replace(r"\&", "")
    assert re.search(r"(?<!\\)\|", text) is None
    assert r"\*x\*" in text
    assert r"\[y\]" in text
