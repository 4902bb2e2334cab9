"""The claims machinery: the catalogue of claims, the ``claim`` marker's links from specs to
claims, the ledger of verdicts a run collects, and its reports (terminal, JSON, Markdown, HTML),
the matrix that merges reports of several interpreters, and the ``concurrency-claims`` command.

The toolkit (executors, loops, virtual time, sync, hygiene, ...) never imports this package;
the plugin wires the two together.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .catalogue import VERDICTS, Claim, load_catalogue

# Imported on first use (PEP 562), as the top-level package does: a program that needs one
# module of the claims machinery (the CLI's ``merge``) does not read the catalogue for it.
_HOME_OF = {"VERDICTS": ".catalogue", "Claim": ".catalogue", "load_catalogue": ".catalogue"}

__all__ = ["VERDICTS", "Claim", "load_catalogue"]


def __getattr__(name: str) -> Any:
    home = _HOME_OF.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
