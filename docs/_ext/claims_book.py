"""Sphinx extension: write the claims book into ``docs/claims/`` before Sphinx reads the sources.

The pages are made by :func:`pytest_concurrency.claims.book.write_book` from the catalogue, the
spec tree and the committed snapshots ``docs/_data/claims-matrix.json`` and
``docs/_data/sensitivity.json`` (``tools/refresh-claims-snapshot`` writes them). A snapshot
that is missing is not an error: the book says it has none. One that cannot be read, or is of
another schema, is a warning, which ``sphinx-build -W`` turns into a failed build.

``docs/claims/`` is generated, and ignored by git. A page is rewritten only when its text
changes, so an incremental build rereads only what changed.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from pytest_concurrency.claims.book import SnapshotError, write_book

logger = logging.getLogger(__name__)

MATRIX = Path("_data", "claims-matrix.json")
SENSITIVITY = Path("_data", "sensitivity.json")
BOOK = Path("claims")


def _snapshot(path: Path) -> dict[str, Any] | None:
    """The parsed snapshot at ``path``; ``None`` (with a warning if it exists) otherwise."""
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        logger.warning("claims book: cannot read %s: %s", path, error)
        return None
    if not isinstance(document, dict):
        logger.warning("claims book: %s is not a JSON object", path)
        return None
    return document


def _today() -> datetime.date:
    """The build's day: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
    return datetime.date.today()


def write_claims_book(app: Sphinx) -> None:
    """``builder-inited``: write the book before Sphinx looks for its source files."""
    docs = Path(app.srcdir)
    try:
        write_book(
            docs / BOOK,
            matrix=_snapshot(docs / MATRIX),
            sensitivity=_snapshot(docs / SENSITIVITY),
            specs_dir=docs.parent / "specs",
            today=_today(),
        )
    except SnapshotError as error:
        logger.warning("claims book: %s; the book is written without snapshots", error)
        write_book(docs / BOOK, matrix=None, sensitivity=None, specs_dir=docs.parent / "specs")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", write_claims_book)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
