"""Names that plugins give to what they add (executor kinds, loop flavours)."""

from __future__ import annotations

import re

__all__ = ["check_plugin_name"]

_WORD = re.compile(r"[A-Za-z0-9][\w.-]*")


def check_plugin_name(name: object, what: str, source: str) -> str:
    """``name`` if it is a word that can be part of a test ID; else a :class:`ValueError`
    naming ``source`` (the plugin), ``what`` it names and the characters accepted."""
    if not isinstance(name, str) or not _WORD.fullmatch(name):
        raise ValueError(
            f"{source}: {what} name {name!r} is not a word (letters, digits, '_', '-', '.'; "
            "it becomes part of test IDs)"
        )
    return name
