"""One meaning per verdict, and a specs README whose example is a real spec.

A claim is *erratum* when the note's statement (or its stated reason) is false, *conditional*
only when the outcome depends on a named condition, *holds* otherwise. So the specs of one
claim may carry different verdicts only where each of them runs under a condition (a guard
marker, or an executor kind, start method or loop flavour it is parametrized with), and two
specs under the same condition never disagree.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A plugin for the collection below: per spec, its claim links, guard markers and parameters.
COLLECTOR = """
import json, os
from pytest_concurrency.claims.ledger import spec_property
from pytest_concurrency.claims.links import claim_links

GUARDS = ("python", "gil", "platform", "cpus", "library", "start_methods", "executor_kinds",
          "loop_flavours")

def pytest_collection_finish(session):
    found = []
    for item in session.items:
        links = claim_links(item.iter_markers("claim"))
        if not links:
            continue
        guards = sorted(
            repr((m.name, m.args, sorted(m.kwargs.items())))
            for m in item.iter_markers() if m.name in GUARDS
        )
        carried = spec_property(item, links)[1]
        found.append({"nodeid": item.nodeid, "links": carried["links"], "guards": guards,
                      "parameters": carried["parameters"]})
    with open(os.environ["SPEC_CONDITIONS"], "w") as out:
        json.dump(found, out)
"""


def collected_specs(tmp_path: Path) -> list[dict[str, object]]:
    (tmp_path / "spec_conditions.py").write_text(COLLECTOR)
    output = tmp_path / "specs.json"
    env = {
        **__import__("os").environ,
        "PYTHONPATH": str(tmp_path),
        "SPEC_CONDITIONS": str(output),
    }
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "spec_conditions"]
    command += ["-p", "no:randomly", "-p", "no:cacheprovider", "--loop-flavours=all", "specs"]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found: list[dict[str, object]] = json.loads(output.read_text())
    assert len(found) > 100, done.stdout  # the whole tree, not an empty collection
    return found


def test_no_claim_mixes_verdicts_without_a_condition(tmp_path: Path) -> None:
    """Where a claim's specs carry different verdicts, each runs under a condition, and the
    specs under one condition agree."""
    by_claim: dict[str, list[tuple[tuple[object, ...], str, str]]] = defaultdict(list)
    for spec in collected_specs(tmp_path):
        condition = (
            tuple(spec["guards"]),  # type: ignore[arg-type]
            tuple(sorted(spec["parameters"].items())),  # type: ignore[attr-defined]
        )
        for link in spec["links"]:  # type: ignore[attr-defined]
            for claim_id in link["ids"]:
                by_claim[claim_id].append((condition, link["verdict"], str(spec["nodeid"])))
    mixed = []
    for claim_id, specs in by_claim.items():
        if len({verdict for _, verdict, _ in specs}) < 2:
            continue
        unconditioned = [n for condition, _, n in specs if condition == ((), ())]
        by_condition: dict[tuple[object, ...], set[str]] = defaultdict(set)
        for condition, verdict, _ in specs:
            by_condition[condition].add(verdict)
        disagreeing = [c for c, verdicts in by_condition.items() if len(verdicts) > 1]
        if unconditioned or disagreeing:
            mixed.append((claim_id, unconditioned[:3], [repr(c)[:120] for c in disagreeing][:2]))
    assert mixed == []


def test_the_specs_readme_example_is_a_real_spec() -> None:
    """The spec shown in specs/README.md is, word for word, a spec of the tree."""
    readme = (ROOT / "specs" / "README.md").read_text("utf-8")
    section = readme.split("## One spec", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    tree = ast.parse(example)
    (function,) = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    homes = [
        path
        for path in (ROOT / "specs").rglob("test_*.py")
        if f"def {function.name}(" in path.read_text("utf-8")
    ]

    assert len(homes) == 1, f"{function.name} is not a spec of specs/ (found in {homes})"
    assert textwrap.dedent(example).strip() in homes[0].read_text("utf-8")
