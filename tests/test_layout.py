"""The package's shape: lean imports and a narrow public API (the import graph's contracts are
import-linter's, in pyproject.toml)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_concurrency

PACKAGE = Path(pytest_concurrency.__file__).parent


def test_importing_the_plugin_imports_no_numpy_hypothesis_or_redis() -> None:
    heavy = ("numpy", "hypothesis", "redis", "loky", "distributed", "uvloop")
    code = (
        "import sys, pytest_concurrency.plugin\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


# The import graph (no cycles; the toolkit never imports the claims machinery; spec support
# imports nothing of pytest) is checked by import-linter's contracts in pyproject.toml
# (``lint-imports``, in tox's ``lint`` env), not here.

#: The top level exports the toolkit only.
TOOLKIT = {
    # executors and start methods
    "START_METHODS",
    "available_start_methods",
    "executor_kinds",
    # loop flavours and virtual time
    "FLAVOURS",
    "available_flavours",
    "VirtualTimeEventLoop",
    "LoopStopwatch",
    "loop_stopwatch",
    # synchronisation
    "Sequencer",
    "AsyncSequencer",
    "Gate",
    "HangError",
    "assert_blocks",
    "wait_until",
    "future_state",
    "condition_holds",
    "returns_while_held",
    # bounds, servers, the machine
    "hang_bound",
    "LatencyServer",
    "usable_cpus",
    "gil_enabled",
    # exploration
    "explore",
    "explore_async",
    "Exploration",
}

#: Old top-level names, each still importable for one release, and where it lives now.
DEPRECATED = {
    "Claim": "pytest_concurrency.claims",
    "VERDICTS": "pytest_concurrency.claims",
    "load_catalogue": "pytest_concurrency.claims",
    "conclusive_ratio": "pytest_concurrency.cpu",
    "conclusive_ratio_async": "pytest_concurrency.cpu",
    "idle_cpu_seconds": "pytest_concurrency.cpu",
    "ratio_to_wall_time": "pytest_concurrency.cpu",
    "RedisServer": "pytest_concurrency.spec_support.redis",
    "RedisUnavailable": "pytest_concurrency.spec_support.redis",
}


def test_the_top_level_exports_exactly_the_toolkit() -> None:
    assert set(pytest_concurrency.__all__) == TOOLKIT
    assert len(pytest_concurrency.__all__) == len(TOOLKIT)  # no name twice


def test_every_public_name_resolves_to_the_object_of_its_home_module() -> None:
    homes = pytest_concurrency._HOME_OF
    assert sorted(homes) == sorted(pytest_concurrency.__all__)
    for name, home in homes.items():
        module = importlib.import_module(home, "pytest_concurrency")
        original = pytest_concurrency._RENAMED.get(name, name)
        assert getattr(pytest_concurrency, name) is getattr(module, original), name


@pytest.mark.parametrize("name", sorted(DEPRECATED))
def test_an_old_top_level_name_warns_naming_its_new_home_and_still_works(name: str) -> None:
    home = DEPRECATED[name]
    with pytest.warns(DeprecationWarning, match=rf"{home}\.{name}"):
        value = getattr(pytest_concurrency, name)
    assert value is getattr(importlib.import_module(home), name)
    assert name not in dir(pytest_concurrency)  # not offered, only kept


def test_from_import_of_an_old_name_warns_too() -> None:
    with pytest.warns(DeprecationWarning, match=r"pytest_concurrency\.claims\.load_catalogue"):
        from pytest_concurrency import load_catalogue
    assert load_catalogue is pytest_concurrency.claims.load_catalogue


def test_available_kinds_warns_naming_executor_kinds_and_still_lists_cpythons_kinds() -> None:
    with pytest.warns(DeprecationWarning, match=r"executor_kinds\(available=True\)"):
        available_kinds = pytest_concurrency.available_kinds
    kinds = available_kinds()
    assert kinds[0] == "thread"
    assert set(kinds) <= set(pytest_concurrency.executor_kinds(available=True))
    assert set(kinds) == {
        "thread",
        *(f"process-{m}" for m in pytest_concurrency.available_start_methods()),
    }


@pytest.mark.parametrize("name", ["RedisServer", "RedisUnavailable"])
def test_the_old_servers_redis_names_warn_naming_spec_support(name: str) -> None:
    from pytest_concurrency import servers
    from pytest_concurrency.spec_support import redis

    with pytest.warns(
        DeprecationWarning, match=rf"pytest_concurrency\.spec_support\.redis\.{name}"
    ):
        value = getattr(servers, name)
    assert value is getattr(redis, name)


def test_the_claims_package_exports_the_claims_names() -> None:
    from pytest_concurrency import claims
    from pytest_concurrency.claims import catalogue

    assert sorted(claims.__all__) == ["Claim", "VERDICTS", "load_catalogue"]
    for name in claims.__all__:
        assert getattr(claims, name) is getattr(catalogue, name)


def test_the_type_checking_imports_match_the_lazy_homes() -> None:
    """Type checkers read the ``if TYPE_CHECKING`` imports, the interpreter reads ``_HOMES``:
    both must name the same object for each public name."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text("utf-8"))
    declared = {
        alias.asname or alias.name: "." + str(node.module)
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


#: What a spec may import of the package: the top level, the documented public modules, and
#: the specs' own support.
SPEC_IMPORTABLE = {
    "pytest_concurrency",
    "pytest_concurrency.cpu",
    "pytest_concurrency.exploration",
    "pytest_concurrency.spec_support",
}


def _allowed_in_specs(module: str) -> bool:
    if module.split(".")[0] != "pytest_concurrency" or module == "pytest_concurrency":
        return True
    return any(
        module == allowed or module.startswith(f"{allowed}.")
        for allowed in SPEC_IMPORTABLE - {"pytest_concurrency"}
    )


def test_the_specs_import_only_the_public_api_and_spec_support() -> None:
    specs = Path(__file__).parents[1] / "specs"
    found: dict[str, str] = {}
    for path in sorted(specs.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                if not _allowed_in_specs(module):
                    found[str(path.relative_to(specs))] = module
    assert found == {}


def test_a_star_import_takes_the_toolkit_without_a_deprecation_warning() -> None:
    code = (
        "import warnings\n"
        "warnings.simplefilter('error')\n"
        "from pytest_concurrency import *\n"
        "print(len([name for name in dir() if not name.startswith('_')]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str(len(TOOLKIT) + 1)  # and ``warnings``


def test_the_design_page_names_every_module_of_the_package() -> None:
    """The table of the package's parts (docs/explanation/design.md) matches the code: every
    module and subpackage is in it, and it names nothing that is not there."""
    # The checkout's docs (tox installs the package elsewhere, without them).
    docs = Path(__file__).resolve().parents[1] / "docs"
    design = (docs / "explanation" / "design.md").read_text(encoding="utf-8")
    table = "\n".join(line for line in design.splitlines() if line.startswith("| "))
    named = {
        name.removesuffix(".py").removesuffix("/")
        for cell in table.split("|")
        for name in cell.split("`")[1::2]
        if name.removesuffix(".py").removesuffix("/").isidentifier()
    }
    deprecated = {"guard"}  # a shim naming its new home, for one release (CHANGELOG)
    modules = {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    } - deprecated

    assert sorted(modules - named) == []
    assert sorted(named - modules) == []


def test_only_pytest_internals_reads_pytests_and_pytest_asyncios_private_names() -> None:
    """Every import of ``_pytest`` and every use of pytest-asyncio's modules is in
    ``pytest_internals``, each flagged there with why and what public API would replace it."""
    import re

    private = re.compile(r"^\s*(?:from|import)\s+(?:_pytest|pytest_asyncio)\b|\bpytest_asyncio\.")
    readers = sorted(
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "pytest_internals.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if private.search(line)
    )
    assert readers == []
