"""The interpreter a run happened on, as the claims report records it."""

from __future__ import annotations

import platform
import sys
import sysconfig
from typing import Any

from .. import executors, loops
from ..cpu import usable_cpus
from ..markers import gil_enabled

__all__ = ["describe", "label"]


def describe() -> dict[str, Any]:
    """Implementation, version, GIL, platform, and the start methods and flavours it offers."""
    return {
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "version_info": list(sys.version_info[:3]),
        "gil": "enabled" if gil_enabled() else "disabled",
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "platform": sys.platform,
        "machine": platform.machine(),
        "cpus": usable_cpus(),
        "start_methods": executors.available_start_methods(),
        "loop_flavours": loops.available_flavours(),
        "executable": sys.executable,
    }


def label(interpreter: dict[str, Any]) -> str:
    """A short name for a column: ``CPython 3.12.1``, ``CPython 3.13.0t`` when free-threaded."""
    suffix = "t" if interpreter.get("free_threaded_build") else ""
    return f"{interpreter.get('implementation', '?')} {interpreter.get('version', '?')}{suffix}"
