"""Conformance: contract and implementation specs told apart, the report, the expected
differences that keep CI honest."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from pytest_concurrency.claims import cli, conformance

ROOT = Path(__file__).resolve().parent.parent
#: The spec folders whose specs run on executor kinds or loop flavours.
CONFORMANCE_FOLDERS = (
    "concurrent_futures",
    "event_loop",
    "futures_and_tasks",
    "run_in_executor",
    "asyncio_basics",
    "async_for",
    "async_with",
)


def _scope_of(decorators: list[ast.expr]) -> list[str]:
    names = []
    for decorator in decorators:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ("contract", "implementation"):
            names.append(target.attr)
    return names


@pytest.mark.parametrize("folder", CONFORMANCE_FOLDERS)
def test_every_spec_says_whether_it_is_the_contract_or_cpythons_implementation(
    folder: str,
) -> None:
    """Each spec in the folders conformance runs from is marked ``contract`` or
    ``implementation(why)``, exactly one of them."""
    unmarked = []
    for path in sorted((ROOT / "specs" / folder).glob("test_*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        specs = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        ]
        unmarked += [
            f"{path.relative_to(ROOT)}::{node.name}"
            for node in specs
            if len(_scope_of(node.decorator_list)) != 1
        ]
    assert unmarked == []


@pytest.mark.parametrize(
    ("nodeid", "implementation", "key"),
    [
        ("a.py::test_x[loky]", "loky", "a.py::test_x"),
        ("a.py::test_x[loky-2]", "loky", "a.py::test_x[2]"),
        ("a.py::test_x[2-process-spawn]", "process-spawn", "a.py::test_x[2]"),
        ("a.py::test_x", "rloop", "a.py::test_x"),
    ],
)
def test_a_spec_is_named_without_the_implementation_it_ran_on(
    nodeid: str, implementation: str, key: str
) -> None:
    assert conformance.spec_key(nodeid, implementation) == key


def _result(name: str, **outcomes: str) -> conformance.Result:
    return conformance.Result(
        name,
        0,
        {k: conformance.Outcome(k, o, "why" if o != "passed" else "") for k, o in outcomes.items()},
    )


def test_a_new_difference_and_a_vanished_one_are_both_reported() -> None:
    """A failing spec not listed is new; a listed spec that passes has gone; a listed spec
    that did not run is neither."""
    result = _result("loky", a="failed", b="passed", c="failed", d="skipped")
    expected = conformance.Expected("loky", {"b": "was broken", "c": "known", "e": "x", "d": "y"})
    found = conformance.check(result, expected)
    assert (found.new, found.vanished, found.not_run, found.ok) == (
        ["a"],
        ["b"],
        ["d", "e"],
        False,
    )


def test_differences_as_listed_are_fine() -> None:
    result = _result("dask", a="failed", b="passed")
    found = conformance.check(result, conformance.Expected("dask", {"a": "known"}))
    assert found.ok


def test_an_implementation_that_did_not_run_is_not_compared() -> None:
    """When nothing ran (the package is missing), its listed differences are not counted
    as gone; the reason is kept."""
    result = _result("rloop", a="skipped")
    found = conformance.check(result, conformance.Expected("rloop", {"a": "known"}))
    assert found.ok
    assert found.skipped_why == "why"


def test_an_expected_file_for_another_implementation_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loky.toml").write_text('implementation = "dask"\n')
    with pytest.raises(ValueError, match="implementation = 'dask', but the file is named"):
        conformance.load_expected(tmp_path, "loky")


def test_the_expected_files_of_the_repository_load() -> None:
    for path in sorted((ROOT / "conformance" / "expected").glob("*.toml")):
        expected = conformance.load_expected(path.parent, path.stem)
        assert expected is not None
        assert all(key.startswith("specs/") for key in expected.differences)


# A project with its own executor kind, which runs calls inside submit(): it breaks the
# contract that a call runs in a worker.
PROJECT_CONFTEST = """
import concurrent.futures

class InlineExecutor(concurrent.futures.Executor):
    def __init__(self, max_workers=None, **options):
        pass

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        future.set_result(fn(*args, **kwargs))
        return future

def pytest_concurrency_executor_kinds(config):
    return {"inline": InlineExecutor}
"""

PROJECT_SPECS = """
import threading
import pytest

pytestmark = pytest.mark.contract

def test_a_call_runs_in_a_worker_not_the_caller(executor):
    assert executor.submit(threading.get_ident).result(timeout=60) != threading.get_ident()

def test_a_future_carries_the_result(executor):
    assert executor.submit(abs, -3).result(timeout=60) == 3
"""

DIFFERENCE = "test_conformance_project.py::test_a_call_runs_in_a_worker_not_the_caller"


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a conftest kind and two contract specs; the current directory."""
    pytester.makeconftest(PROJECT_CONFTEST)
    pytester.makepyfile(test_conformance_project=PROJECT_SPECS)
    monkeypatch.chdir(pytester.path)
    (pytester.path / "expected").mkdir()
    return pytester.path


def _expect(project: Path, *specs: str) -> None:
    entries = "".join(f'[[difference]]\nspec = "{s}"\nreason = "runs inline"\n\n' for s in specs)
    (project / "expected" / "inline.toml").write_text(f'implementation = "inline"\n\n{entries}')


def _conformance(project: Path, *outputs: str) -> int:
    args = ["conformance", "--implementations", "thread,inline"]
    args += ["--expected", str(project / "expected"), "--specs", "test_conformance_project.py"]
    for output in outputs:
        args += ["-o", str(project / output)]
    return cli.main(args)


def test_the_report_shows_where_an_implementation_differs_and_why(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Listed as expected, the difference keeps the status 0; the Markdown and JSON reports
    name it, with the failing assertion in one line."""
    _expect(project, DIFFERENCE)
    assert _conformance(project, "c.md", "c.json", "c.html") == 0
    markdown = (project / "c.md").read_text()
    assert "| inline | 1 | 1 | 0 | as expected |" in markdown
    assert f"`{DIFFERENCE}`: assert " in markdown
    document = json.loads((project / "c.json").read_text())
    rows = {r["implementation"]: r for r in document["conformance"]["implementations"]}
    assert [d["spec"] for d in rows["inline"]["differences"]] == [DIFFERENCE]
    assert rows["thread"]["differences"] == []
    assert "Where inline differs" in (project / "c.html").read_text()


def test_a_new_difference_fails_the_command(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _expect(project)
    assert _conformance(project) == 1
    assert f"NEW difference on inline: {DIFFERENCE}: assert" in capsys.readouterr().out


def test_a_difference_that_went_away_fails_the_command(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passing = "test_conformance_project.py::test_a_future_carries_the_result"
    _expect(project, DIFFERENCE, passing)
    assert _conformance(project) == 1
    assert f"difference GONE on inline: {passing} passes now" in capsys.readouterr().out
