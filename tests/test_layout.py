"""The package's shape: lean imports, no import cycles, the claims machinery kept apart."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_concurrency

PACKAGE = Path(pytest_concurrency.__file__).parent

# Wiring may import both the toolkit and the claims machinery; the toolkit imports no claims.
WIRING = {"pytest_concurrency.plugin", "pytest_concurrency.options", "pytest_concurrency"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The package modules ``path`` imports, type-checking imports included."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE.name):
            found.add(str(node.module))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: _imports(path) & modules.keys() for name, path in modules.items()}


def test_importing_the_plugin_imports_no_numpy_hypothesis_or_redis() -> None:
    heavy = ("numpy", "hypothesis", "redis", "loky", "distributed", "uvloop")
    code = (
        "import sys, pytest_concurrency.plugin\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_the_package_has_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycle = [*path[path.index(target) :], target] if target in path else [name, target]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_the_toolkit_does_not_import_the_claims_machinery() -> None:
    claims = "pytest_concurrency.claims"
    offenders = {
        name: sorted(t for t in targets if t.startswith(claims))
        for name, targets in _graph().items()
        if not name.startswith(claims) and name not in WIRING
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_every_public_name_resolves_to_the_object_of_its_home_module() -> None:
    homes = pytest_concurrency._HOME_OF
    assert sorted(homes) == sorted(pytest_concurrency.__all__)
    for name, home in homes.items():
        module = importlib.import_module(home, "pytest_concurrency")
        assert getattr(pytest_concurrency, name) is getattr(module, name), name


def test_the_type_checking_imports_match_the_lazy_homes() -> None:
    """Type checkers read the ``if TYPE_CHECKING`` imports, the interpreter reads ``_HOMES``:
    both must name the same object for each public name."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text("utf-8"))
    declared = {
        alias.name: "." + str(node.module)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for alias in node.names
    }
    assert declared == pytest_concurrency._HOME_OF


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        pytest_concurrency.no_such_name  # noqa: B018


def test_a_worker_importing_the_workloads_skips_modules_it_does_not_need() -> None:
    """A process-pool worker unpickles work functions by module and name. That import must not
    pull in the plugin's dependencies through the package's ``__init__``, nor what only some
    work functions need (``typing`` and ``urllib.request`` cost a spawned worker 10 to 35 ms).
    Modules the interpreter had loaded before (a ``.pth`` file's imports at start-up) are not
    counted."""
    heavy = ("pytest", "_pytest", "asyncio", "pygments", "typing", "urllib.request")
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import pytest_concurrency.spec_support.workloads\n"
        f"print(','.join(m for m in {heavy!r} if m in set(sys.modules) - before))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
