"""The specs against altered interpreters: each alteration must be caught, and the run must end.

Every folder of ``tests/alterations`` holds one ``sitecustomize.py`` that changes one behaviour
of the standard library which a claim of the catalogue is about, and names, in two constants,
the claims it must contradict (``CLAIMS``) and the spec files or node ids to run (``SPECS``).
Optional constants: ``ARGS``, more pytest arguments (to keep the run short); ``PYTHON``, a
version range outside which the alteration means nothing, ``PLATFORM``, a ``sys.platform``
prefix, and ``COMMANDS``, programs its specs need on ``PATH`` (``redis-server``): elsewhere the
test skips, saying so.

Each test runs pytest on the alteration's specs in a child interpreter whose ``PYTHONPATH``
starts with that folder, so the alteration loads in every process of the run, the spawn and
forkserver workers included. It asserts that the run

* ends by itself, within a bound, with pytest's "tests failed" status (1): not hung, not an
  internal error;
* writes a claims report naming every altered claim as contradicted;
* leaves nothing running: its process group is empty once it has ended.

A control run checks that, unaltered, the same specs confirm every one of those claims, so a
contradiction is the alteration's doing.

Select these tests with ``-k altered``, leave them out with ``-k "not altered"``.

**The sensitivity record.** When ``PYTEST_CONCURRENCY_SENSITIVITY`` names a path, each
alteration's test also writes what it found to that JSON file (schema
``pytest-concurrency-sensitivity/1``, documented in ``tests/alterations/README.md``): per
alteration, the claims it caught, how long its run took and its outcome; per claim of the
catalogue, the alterations that caught it on this interpreter (none: "not shown to fail").
Under pytest-xdist each worker adds its alterations to the same file, under a lock.

**A sample.** ``PYTEST_CONCURRENCY_ALTERATIONS_SAMPLE=N`` (or ``N/SEED``) runs only N of the
alterations, chosen by SEED (default: the commit hash of ``HEAD``), and prints which: for a CI
that must stay short; ``tools/run-alterations`` runs them all.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import hashlib
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from pytest_concurrency import hang_bound
from pytest_concurrency.claims.catalogue import load_catalogue
from pytest_concurrency.markers import MARKERS
from pytest_concurrency.timeouts import TIERS, get_scale

ROOT = Path(__file__).resolve().parent.parent
ALTERATIONS = Path(__file__).resolve().parent / "alterations"
# How long an altered run may take before it counts as hung. Generous: a run that waits out a
# few hang bounds is slow, not hung; a run that needs more than this is reported as hung.
RUN_BOUND_TIER = "long"
RUN_BOUND_FACTOR = 2.5
# These tests' own hang guard must outlast the run they wait for (base seconds: the guard and
# hang_bound both scale by --hang-scale).
GUARD_SECONDS = TIERS[RUN_BOUND_TIER] * RUN_BOUND_FACTOR + 2 * TIERS["short"] + 30


def outlasting_the_run(test: Callable[..., None]) -> Callable[..., None]:
    """Give ``test`` a hang-guard bound longer than the pytest run it starts."""
    if "hang_guard" in MARKERS:  # the guard marker, where this version of the plugin has it
        return pytest.mark.hang_guard(GUARD_SECONDS)(test)
    return test


@dataclass(frozen=True)
class Alteration:
    """What one ``sitecustomize.py`` declares, read without running it."""

    name: str
    folder: Path
    doc: str
    claims: tuple[str, ...]
    specs: tuple[str, ...]
    args: tuple[str, ...] = ()
    python: str = ""
    platform: str = ""
    commands: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)


def read_alteration(folder: Path) -> Alteration:
    """The module docstring and constants of ``folder/sitecustomize.py`` (never imported here:
    importing it would alter this very interpreter)."""
    source = folder / "sitecustomize.py"
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    constants: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id.isupper():
                # other upper-case names are the alteration's own state, not declarations
                with contextlib.suppress(ValueError):
                    constants[target.id] = ast.literal_eval(node.value)
    problems = []
    for required in ("CLAIMS", "SPECS"):
        value = constants.get(required)
        if not (isinstance(value, tuple) and value and all(isinstance(v, str) for v in value)):
            problems.append(f"{required} must be a non-empty tuple of strings, got {value!r}")
    return Alteration(
        name=folder.name,
        folder=folder,
        doc=(ast.get_docstring(tree) or "").split("\n\n")[0].replace("\n", " "),
        claims=tuple(constants.get("CLAIMS", ())),  # type: ignore[arg-type]
        specs=tuple(constants.get("SPECS", ())),  # type: ignore[arg-type]
        args=tuple(constants.get("ARGS", ())),  # type: ignore[arg-type]
        python=str(constants.get("PYTHON", "")),
        platform=str(constants.get("PLATFORM", "")),
        commands=tuple(constants.get("COMMANDS", ())),  # type: ignore[arg-type]
        problems=problems,
    )


def all_alterations() -> list[Alteration]:
    return [
        read_alteration(folder)
        for folder in sorted(ALTERATIONS.iterdir())
        if (folder / "sitecustomize.py").is_file()
    ]


def child_environment(alteration: Alteration) -> dict[str, str]:
    """This environment, with the alteration first on PYTHONPATH and nothing of the outer
    pytest run (xdist worker names, PYTEST_ADDOPTS) leaking into the inner one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(alteration.folder), os.environ.get("PYTHONPATH", "")) if p
    )
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def members_of_group(pgid: int) -> list[str]:
    """The live processes (zombies aside) of process group ``pgid``, as 'pid command'."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel whether the group has anyone left
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [f"process group {pgid} still has members"]
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue  # ended while we looked
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            members.append(f"{entry.name} {cmdline[:200]}")
    return members


def wait_for_empty_group(pgid: int, bound: float) -> list[str]:
    """Wait up to ``bound`` seconds for the group to empty (a resource tracker or forkserver
    notices its parent has gone); return whoever is still there."""
    deadline = time.monotonic() + bound
    while (members := members_of_group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return members


def check_applies(alteration: Alteration) -> None:
    """Import the alteration's sitecustomize in a fresh interpreter and fail loudly when it
    does not apply: ``site`` only prints a failing sitecustomize's error and goes on, which
    would run the specs on an unaltered interpreter."""
    probe = subprocess.run(
        [sys.executable, "-c", "import sitecustomize; print(sitecustomize.__file__)"],
        cwd=ROOT,
        env=child_environment(alteration),
        capture_output=True,
        text=True,
        timeout=hang_bound("medium"),
    )
    stderr = probe.stderr.strip()
    failure = (
        f"the alteration {alteration.name} does not apply on Python "
        f"{sys.version.split()[0]} (fix its sitecustomize.py, or give it a PYTHON range):\n"
        f"{stderr}"
    )
    assert probe.returncode == 0, failure
    assert not stderr, failure
    loaded = Path(probe.stdout.strip()).resolve()
    assert loaded == (alteration.folder / "sitecustomize.py").resolve(), (
        f"another sitecustomize shadows the alteration {alteration.name}: {loaded}"
    )


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


def last_spec_started(text: str) -> str:
    """The node id of the last spec a verbose run started (a hung run hangs in it)."""
    started = [line.split()[0] for line in text.splitlines() if "::" in line.split(" ", 1)[0]]
    return started[-1] if started else "none"


SENSITIVITY_ENV = "PYTEST_CONCURRENCY_SENSITIVITY"
SENSITIVITY_SCHEMA = "pytest-concurrency-sensitivity/1"
SAMPLE_ENV = "PYTEST_CONCURRENCY_ALTERATIONS_SAMPLE"


def commit_hash() -> str:
    """The commit of HEAD, read from .git without running git (empty when there is none)."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            loose = git / ref
            if loose.is_file():
                return loose.read_text().strip()
            for line in (git / "packed-refs").read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
            return ""
        return head
    except OSError:
        return ""


def sampled(alterations: list[Alteration]) -> list[Alteration]:
    """All of them, or the sample ``$PYTEST_CONCURRENCY_ALTERATIONS_SAMPLE`` asks for."""
    wanted = os.environ.get(SAMPLE_ENV, "").strip()
    if not wanted:
        return alterations
    size, _, seed = wanted.partition("/")
    seed = seed or commit_hash() or "no commit"
    chosen = random.Random(hashlib.sha256(seed.encode()).digest()).sample(
        alterations, min(int(size), len(alterations))
    )
    names = sorted(a.name for a in chosen)
    print(f"altered interpreters: a sample of {len(names)} of {len(alterations)} chosen by {seed}")
    return [a for a in alterations if a.name in names]


def write_sensitivity(entry: dict[str, object]) -> None:
    """Add one alteration's ``entry`` to the sensitivity record ``$PYTEST_CONCURRENCY_SENSITIVITY``
    names (nothing when it is unset). Entries of this test run (one run id, shared by xdist
    workers) are kept beside the record and the record is rewritten from them, under a lock."""
    target = os.environ.get(SENSITIVITY_ENV, "").strip()
    if not target:
        return
    path = Path(target).resolve()
    parts = path.with_name(path.name + ".parts")
    parts.mkdir(parents=True, exist_ok=True)
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
    with (parts / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        (parts / f"{entry['name']}.json").write_text(json.dumps({"run": run_id, **entry}))
        entries = []
        for part in sorted(parts.glob("*.json")):
            found = json.loads(part.read_text())
            if found.pop("run", None) == run_id:
                entries.append(found)
        record = sensitivity_record(entries)
        partial = path.with_name(path.name + ".tmp")
        partial.write_text(json.dumps(record, indent=2) + "\n")
        os.replace(partial, path)


def sensitivity_record(entries: list[dict[str, object]]) -> dict[str, object]:
    """The record: this interpreter, each alteration run, and per claim who caught it."""
    version = platform.python_version()
    catalogue = load_catalogue()
    caught_by: dict[str, list[str]] = {claim: [] for claim in catalogue.claims}
    for entry in entries:
        if entry["outcome"] == "caught":
            for claim in entry["caught"]:  # type: ignore[attr-defined]
                caught_by.setdefault(claim, []).append(str(entry["name"]))
    return {
        "schema": SENSITIVITY_SCHEMA,
        "python": version,
        "implementation": sys.implementation.name,
        "alterations": sorted(entries, key=lambda e: str(e["name"])),
        "claims": {
            claim: {
                "kind": getattr(catalogue.claims.get(claim), "kind", ""),
                "caught_by": sorted(names),
                "interpreter": version,
            }
            for claim, names in caught_by.items()
        },
    }


ALL = all_alterations()


def test_every_alteration_declares_catalogue_claims_and_existing_specs():
    """At least 14 alterations; each names claims of the catalogue and spec files that exist,
    so a renamed spec or claim shows up here rather than as a puzzling altered run."""
    catalogue = load_catalogue()
    problems = {a.name: a.problems for a in ALL if a.problems}
    for alteration in ALL:
        unknown = [c for c in alteration.claims if c not in catalogue.claims]
        missing = [s for s in alteration.specs if not (ROOT / s.split("::")[0]).is_file()]
        if unknown or missing:
            problems[alteration.name] = [f"unknown claims {unknown}", f"missing specs {missing}"]

    assert len(ALL) >= 14, [a.name for a in ALL]
    assert problems == {}


def test_the_readme_lists_per_claim_its_alterations_or_why_none_applies():
    """tests/alterations/README.md has a row per claim of the catalogue naming exactly the
    alterations that declare it, or, where none does, the reason."""
    rows = {}
    for line in (ALTERATIONS / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in load_catalogue().claims:
            rows[cells[0]] = cells[2]
    declared: dict[str, set[str]] = {}
    for alteration in ALL:
        for claim in alteration.claims:
            declared.setdefault(claim, set()).add(alteration.name)

    listed = {
        claim: set(cell.split("`")[1::2]) if not cell.startswith("none: ") else set()
        for claim, cell in rows.items()
    }
    unexplained = [c for c, cell in rows.items() if cell in ("", "none:", "none: ")]
    assert sorted(rows) == sorted(load_catalogue().claims)
    assert {c: n for c, n in listed.items() if n} == declared
    assert unexplained == []


def test_the_sensitivity_record_gathers_the_alterations_of_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Two alterations written one after the other make one record: both runs, and per claim
    of the catalogue who caught it (nobody: an empty list, "not shown to fail")."""
    record = tmp_path / "sensitivity" / "sensitivity.json"
    monkeypatch.setenv(SENSITIVITY_ENV, str(record))
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "this-run")
    caught = {"name": "a", "claims": ["CF-11"], "caught": ["CF-11"], "seconds": 1.0}
    missed = {"name": "b", "claims": ["CF-10"], "caught": [], "seconds": 2.0}

    write_sensitivity({**caught, "outcome": "caught", "reason": ""})
    write_sensitivity({**missed, "outcome": "missed", "reason": "CF-10 confirmed"})

    written = json.loads(record.read_text())
    assert (written["schema"], written["python"]) == (SENSITIVITY_SCHEMA, platform.python_version())
    assert [a["name"] for a in written["alterations"]] == ["a", "b"]
    assert written["claims"]["CF-11"]["caught_by"] == ["a"]
    assert written["claims"]["CF-10"]["caught_by"] == []
    assert sorted(written["claims"]) == sorted(load_catalogue().claims)


def applies_here(alteration: Alteration) -> bool:
    if alteration.platform and not sys.platform.startswith(alteration.platform):
        return False
    if not all(shutil.which(command) for command in alteration.commands):
        return False
    return not alteration.python or SpecifierSet(alteration.python).contains(
        sys.version.split()[0], prereleases=True
    )


def run_pytest(
    arguments: list[str], env: dict[str, str], log: Path, bound: float
) -> tuple[int | None, float, list[str]]:
    """Run pytest on ``arguments`` in its own process group; return its status (None if it
    was still running after ``bound`` seconds), its wall time, and the processes of its group
    still alive after it ended (each group is killed before returning, whatever happened)."""
    started = time.monotonic()
    with log.open("w") as output:
        run = subprocess.Popen(
            [sys.executable, "-m", "pytest", *arguments],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: every process of the run is in it
        )
        status: int | None = None
        left_running: list[str] = []
        try:
            status = run.wait(timeout=bound)
        except subprocess.TimeoutExpired:
            pass  # status None: hung
        finally:
            # Also when this test is interrupted (its own hang guard, Ctrl-C): never leave the
            # run behind. A run past its bound is killed at once; one that ended gets a short
            # while for its helpers (resource tracker, fork server) to notice and leave.
            seconds = time.monotonic() - started
            if status is None:
                kill_group(run)
            left_running = wait_for_empty_group(run.pid, hang_bound("short"))
            if left_running:
                kill_group(run)
    return status, seconds, left_running


def kill_group(run: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(run.pid, signal.SIGKILL)
    run.wait()


def outcomes_in(report: Path) -> dict[str, str]:
    return {claim["id"]: claim["outcome"] for claim in json.loads(report.read_text())["claims"]}


@outlasting_the_run
def test_unaltered_the_targeted_specs_confirm_every_claim(tmp_path: Path):
    """The control: on this interpreter as it is, the specs the alterations target pass and
    confirm every claim the alterations declare, so a contradiction under an alteration is the
    alteration's doing."""
    here = [a for a in ALL if applies_here(a)]
    specs = list(dict.fromkeys(spec for a in here for spec in a.specs))
    report = tmp_path / "claims.json"
    log = tmp_path / "pytest.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    arguments = [*specs, "-p", "no:randomly", "-p", "no:cacheprovider", f"--claims-report={report}"]

    status, seconds, left_running = run_pytest(arguments, env, log, hang_bound("long"))
    text = log.read_text(errors="replace")
    print(f"unaltered: status {status} in {seconds:.1f} s")

    assert status == pytest.ExitCode.OK, f"unaltered, the targeted specs fail:\n{tail(text)}"
    assert not left_running, left_running
    outcomes = outcomes_in(report)
    not_confirmed = {
        (a.name, claim): outcomes.get(claim, "absent")
        for a in here
        for claim in a.claims
        if outcomes.get(claim) != "confirmed"
    }
    assert not_confirmed == {}


RUN = sampled(ALL)


@outlasting_the_run
@pytest.mark.parametrize("alteration", RUN, ids=[a.name for a in RUN])
def test_the_specs_catch_an_altered_interpreter_and_end(alteration: Alteration, tmp_path: Path):
    """Under the alteration, the targeted specs fail, the report names each altered claim as
    contradicted, and the run ends by itself leaving no process behind."""
    entry: dict[str, object] = {
        "name": alteration.name,
        "claims": list(alteration.claims),
        "caught": [],
        "seconds": 0.0,
        "outcome": "missed",
        "reason": "",
    }
    try:
        _run_altered(alteration, tmp_path, entry)
    except pytest.skip.Exception as skipped:
        entry.update(outcome="skipped", reason=str(skipped.msg))
        raise
    except BaseException as error:
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        entry.update(outcome="missed", reason=first_line[:300])
        raise
    else:
        entry["outcome"] = "caught"
    finally:
        write_sensitivity(entry)


def _run_altered(alteration: Alteration, tmp_path: Path, entry: dict[str, object]) -> None:
    assert not alteration.problems, alteration.problems
    if not applies_here(alteration):
        needs = " and ".join(
            need
            for need in (
                alteration.python and f"Python {alteration.python}",
                alteration.platform and f"platform {alteration.platform}",
                alteration.commands and " and ".join(alteration.commands) + " on PATH",
            )
            if need
        )
        pytest.skip(f"{alteration.name} needs {needs}: {alteration.doc}")
    missing = [s for s in alteration.specs if not (ROOT / s.split("::")[0]).exists()]
    assert not missing, f"{alteration.name} targets spec files that do not exist: {missing}"
    check_applies(alteration)
    report = tmp_path / "claims.json"
    log = tmp_path / "pytest.log"
    arguments = [
        *alteration.specs,
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        f"--hang-scale={get_scale()}",
        f"--claims-report={report}",
        "-v",  # each spec's node id as it starts: a hung run shows where it hangs
        *alteration.args,
    ]
    bound = hang_bound(RUN_BOUND_TIER) * RUN_BOUND_FACTOR

    status, seconds, left_running = run_pytest(arguments, child_environment(alteration), log, bound)
    text = log.read_text(errors="replace")
    outcomes = outcomes_in(report) if report.exists() else {}
    entry["seconds"] = round(seconds, 1)
    entry["caught"] = sorted(c for c, o in outcomes.items() if o == "contradicted")
    ended = "hung" if status is None else f"status {status}"
    print(
        f"{alteration.name}: {ended} after {seconds:.1f} s; claims report "
        f"{'written' if report.exists() else 'missing'}; last spec started: "
        f"{last_spec_started(text)}"
    )

    assert status is not None, (
        f"the run under {alteration.name} did not end within {bound:.0f} s (hung); the last "
        f"spec it started: {last_spec_started(text)}; its output:\n{tail(text)}"
    )
    assert not left_running, (
        f"the run under {alteration.name} ended (status {status}) but left processes "
        f"running:\n" + "\n".join(left_running) + f"\nits output:\n{tail(text)}"
    )
    assert status == pytest.ExitCode.TESTS_FAILED, (
        f"the run under {alteration.name} should end with status 1 (tests failed), got "
        f"{status}; claims report {'written' if report.exists() else 'missing'}; its "
        f"output:\n{tail(text)}"
    )
    assert report.exists(), f"no claims report was written; the output:\n{tail(text)}"
    not_caught = {c: outcomes.get(c, "absent") for c in alteration.claims}
    not_caught = {c: o for c, o in not_caught.items() if o != "contradicted"}
    assert not not_caught, (
        f"under {alteration.name} these claims were not contradicted: {not_caught}; "
        f"its output:\n{tail(text)}"
    )
