"""Which claims the spec tree checks at all, read from its source without collecting it.

A run of part of the specs (``pytest specs/foundations``) collects the specs of some claims
only. The others are *not run*, not *without a spec*: this index tells the two apart by
reading the ``claim`` markers of every spec file (``ast``, no import), which takes a few tens
of milliseconds for the whole tree.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import TypeGuard

__all__ = ["claims_with_specs"]


@cache
def claims_with_specs(specs_dir: Path) -> frozenset[str]:
    """The claim IDs some ``test_*.py`` file under ``specs_dir`` links to with a ``claim``
    marker (``@pytest.mark.claim("CF-7", ...)``); empty when there is no such folder."""
    found: set[str] = set()
    if not specs_dir.is_dir():
        return frozenset()
    for path in sorted(specs_dir.rglob("test_*.py")):
        try:
            tree = ast.parse(path.read_text("utf-8"), str(path))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue  # collection will report it
        for node in ast.walk(tree):
            if _is_claim_marker(node):
                found.update(
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                )
    return frozenset(found)


def _is_claim_marker(node: ast.AST) -> TypeGuard[ast.Call]:
    """``pytest.mark.claim(...)`` or ``mark.claim(...)``."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    owner = node.func.value
    return (
        node.func.attr == "claim"
        and isinstance(owner, ast.Attribute | ast.Name)
        and (owner.attr if isinstance(owner, ast.Attribute) else owner.id) == "mark"
    )
