"""The released package, installed as another project would install it.

These tests need the built distributions: ``tox -e release`` builds the wheel and the sdist,
checks them with twine, and runs this file with ``PYTEST_CONCURRENCY_DIST`` naming their folder.
Each test makes a fresh virtual environment, so nothing of this checkout's environment leaks in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import venv
from pathlib import Path

import pytest

DIST = os.environ.get("PYTEST_CONCURRENCY_DIST")
USER_PROJECT = Path(__file__).parent / "user_project"
# Plugins a project is likely to have beside ours; they must change nothing of what ours does.
NEIGHBOURS = [
    "pytest-timeout",
    "pytest-randomly",
    "pytest-xdist",
    "pytest-run-parallel",
    "anyio",
    "hypothesis",
    # The peer users of virtual time already have; its hooks make an event loop around every
    # test (needs Python 3.11).
    "looptime; python_version >= '3.11'",
]
BOUND = 900  # seconds for one pip install or pytest run in a fresh environment

pytestmark = pytest.mark.skipif(
    not DIST,
    reason="needs the built wheel and sdist in PYTEST_CONCURRENCY_DIST (tox -e release sets it)",
)


def _one(pattern: str) -> Path:
    (found,) = Path(str(DIST)).glob(pattern)
    return found


def _fresh_env(where: Path, *requirements: str) -> Path:
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", *requirements])
    return python


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=BOUND, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


def _outcomes(python: Path, project: Path, *args: str) -> dict[str, int]:
    """The counts of pytest's last line, warnings left out: how many there are depends on the
    order (a thread alive at a ``fork()`` makes 3.12+ warn, and the leaking test leaves one)."""
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rw", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=BOUND,
        check=False,
    )
    # The one leaking test passes, with a warning: the project does not configure the leak
    # check, and a user's default only warns.
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PytestWarning: the test left 1 thing(s) running" in done.stdout, done.stdout
    counts = done.stdout.strip().splitlines()[-1].split(" in ")[0].split(", ")
    return {
        what: int(number)
        for number, what in (count.split(" ", 1) for count in counts)
        if what not in ("warning", "warnings")  # pytest writes "1 warning", "2 warnings"
    }


@pytest.fixture(scope="module")
def lean_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the wheel installed without extras, and the neighbours."""
    return _fresh_env(tmp_path_factory.mktemp("lean"), str(_one("*.whl")), *NEIGHBOURS)


@pytest.fixture
def user_project(tmp_path: Path) -> Path:
    """The stand-in user project, with its ``check_*.py`` files renamed to test files."""
    project = tmp_path / "project"
    shutil.copytree(USER_PROJECT, project)
    for check in project.glob("check_*.py"):
        check.rename(project / f"test_{check.name.removeprefix('check_')}")
    return project


def test_a_plain_install_brings_neither_numpy_nor_hypothesis(tmp_path: Path) -> None:
    python = _fresh_env(tmp_path / "bare", str(_one("*.whl")))
    code = (
        "import importlib.util, pytest_concurrency.plugin\n"
        "print([m for m in ('numpy', 'hypothesis', 'redis') if importlib.util.find_spec(m)])"
    )
    assert _run([str(python), "-c", code]).stdout.strip() == "[]"


def test_a_users_tests_of_every_fixture_pass_beside_other_plugins(
    lean_python: Path, user_project: Path
) -> None:
    """The same outcomes alone, in random order, and split over two xdist workers."""
    alone = _outcomes(lean_python, user_project, "-p", "no:randomly")
    shuffled = _outcomes(lean_python, user_project, "-p", "randomly", "-p", "no:xdist")
    parallel = _outcomes(lean_python, user_project, "-n", "2")

    # Every fixture is the plugin's and needs nothing outside Python: none skips (the Redis
    # fixture is the specs' own, in specs/conftest.py).
    assert alone == {"passed": 16}
    assert shuffled == alone
    assert parallel == alone


def test_the_specs_pass_from_the_sdist_beside_other_plugins(tmp_path: Path) -> None:
    """The specs of a downloaded release, with the neighbours active (pytest-randomly shuffles
    the order), over two xdist workers: every claim confirmed, and the report written."""
    with tarfile.open(_one("*.tar.gz")) as sdist:
        sdist.extractall(tmp_path, filter="data")
    (source,) = tmp_path.glob("pytest_concurrency_specs-*")
    python = _fresh_env(tmp_path / "env", f"{source}[specs]", *NEIGHBOURS)
    report = tmp_path / "claims.json"

    command = [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "specs"]
    done = _run([*command, f"--claims-report={report}"], cwd=source)

    assert "0 contradicted" in done.stdout
    claims = json.loads(report.read_text())["claims"]
    # What to expect follows from what really ran: a claim is confirmed when one of its specs
    # passed, untested when every one was skipped; none is contradicted or without a spec.
    for claim in claims:
        ran = [s["outcome"] for s in claim["specs"] if s["outcome"] != "skipped"]
        expected = "untested" if not ran else "confirmed"
        assert claim["outcome"] == expected, claim
        assert set(ran) <= {"passed"}, claim
    # The specs that need a redis-server (EX-12) skip, saying so, where there is none; the
    # claim's record lists them, and CI runs this test with and without one.
    needing_redis = {
        (claim["id"], spec["nodeid"])
        for claim in claims
        for spec in claim["skipped_specs"]
        if "redis-server" in spec["skip_reason"]
    }
    if shutil.which("redis-server"):
        assert needing_redis == set()
    else:
        assert {claim_id for claim_id, _ in needing_redis} == {"EX-12"}
