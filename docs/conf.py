"""Sphinx configuration of the documentation site (``tox -e docs``).

The site builds offline: no intersphinx, no remote images. Two parts are generated at build
time, from the code and the committed snapshots, so they cannot drift: the reference pages
(``docs/_ext/plugin_reference.py``) and the claims book (``docs/_ext/claims_book.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent))

project = "pytest-concurrency-specs"
author = "the pytest-concurrency-specs developers"
copyright = "2026, " + author

from importlib.metadata import version as _installed_version  # noqa: E402

release = version = _installed_version("pytest-concurrency-specs")

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "plugin_reference",
    "claims_book",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "reviews", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3  # the pages' own "#a-heading" links, as on GitHub

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}

# Book and reference text comes from data: shown as written (no curly quotes, no -- to a dash).
smartquotes = False

html_theme = "furo"
html_title = f"pytest-concurrency-specs {release}"
html_static_path: list[str] = []
html_show_sourcelink = False

nitpicky = False
suppress_warnings: list[str] = []

# The reference (docs/reference/) is built with -n: every cross-reference must resolve. The
# site builds offline, with no intersphinx, so the types of the standard library and pytest that
# autodoc puts in signatures cannot link anywhere; nor can private classes (``_SequencedLock``)
# and type variables (``T``), which have no entry of their own, nor the few internal classes the
# public functions take or return (the steps of an exploration, a blocked call, the catalogue,
# the registry of kinds or flavours), which the pages describe in words. They show as plain
# names.
nitpick_ignore_regex = [
    (
        "py:class",
        r"(collections\.abc|typing|asyncio|concurrent\.futures|multiprocessing|threading"
        r"|contextlib|types|pathlib|pytest|_pytest)(\..+)?",
    ),
    ("py:class", r"pytest_concurrency\.(.+\.)?_\w+"),
    ("py:class", r"pytest_concurrency\.(.+\.)?T"),
    ("py:class", r"pytest_concurrency\.exploration\.(threads|tasks)\.\w+"),
    (
        "py:class",
        r"pytest_concurrency\.(sync\.BlockedCall|claims\.catalogue\.Catalogue"
        r"|registry\.Registry)",
    ),
]
