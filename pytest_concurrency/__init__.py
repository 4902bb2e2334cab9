"""pytest-concurrency-specs: test concurrent Python across executors and event loops.

The public API; everything else is internal. Fixtures (``executor``, ``process_executor``,
``http_server``, ...) and markers (``claim``, ``python``, ``loop_flavours``, ...) come with the
plugin and need no import.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing's: a pool worker that imports this skips importing typing
if TYPE_CHECKING:
    from typing import Any

    from .claims.catalogue import VERDICTS, Claim, load_catalogue
    from .clock import LoopStopwatch, VirtualTimeEventLoop, loop_stopwatch
    from .cpu import (
        conclusive_ratio,
        conclusive_ratio_async,
        idle_cpu_seconds,
        ratio_to_wall_time,
        usable_cpus,
    )
    from .executors import START_METHODS, available_kinds, available_start_methods
    from .exploration import Exploration, explore, explore_async
    from .held import condition_holds, returns_while_held
    from .loops import FLAVOURS, available_flavours
    from .markers import gil_enabled
    from .servers import LatencyServer, RedisServer, RedisUnavailable
    from .sync import (
        AsyncSequencer,
        Gate,
        HangError,
        Sequencer,
        assert_blocks,
        future_state,
        wait_until,
    )
    from .timeouts import hang_bound

# Each public name is imported from its module on first use (PEP 562), so importing a
# submodule costs only that submodule. A process-pool worker that unpickles a function from
# ``spec_support.workloads`` then imports neither pytest (with pygments) nor asyncio: about
# 0.1 s less per spawned worker on a quiet 2-core machine (``tools/bench-specs``).
_HOMES: dict[str, tuple[str, ...]] = {
    ".claims.catalogue": ("VERDICTS", "Claim", "load_catalogue"),
    ".clock": ("LoopStopwatch", "VirtualTimeEventLoop", "loop_stopwatch"),
    ".cpu": (
        "conclusive_ratio",
        "conclusive_ratio_async",
        "idle_cpu_seconds",
        "ratio_to_wall_time",
        "usable_cpus",
    ),
    ".executors": ("START_METHODS", "available_kinds", "available_start_methods"),
    ".exploration": ("Exploration", "explore", "explore_async"),
    ".held": ("condition_holds", "returns_while_held"),
    ".loops": ("FLAVOURS", "available_flavours"),
    ".markers": ("gil_enabled",),
    ".servers": ("LatencyServer", "RedisServer", "RedisUnavailable"),
    ".sync": (
        "AsyncSequencer",
        "Gate",
        "HangError",
        "Sequencer",
        "assert_blocks",
        "future_state",
        "wait_until",
    ),
    ".timeouts": ("hang_bound",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "FLAVOURS",
    "START_METHODS",
    "VERDICTS",
    "AsyncSequencer",
    "Claim",
    "Exploration",
    "Gate",
    "HangError",
    "LatencyServer",
    "LoopStopwatch",
    "RedisServer",
    "RedisUnavailable",
    "Sequencer",
    "VirtualTimeEventLoop",
    "assert_blocks",
    "available_flavours",
    "available_kinds",
    "available_start_methods",
    "conclusive_ratio",
    "conclusive_ratio_async",
    "condition_holds",
    "explore",
    "explore_async",
    "future_state",
    "gil_enabled",
    "hang_bound",
    "idle_cpu_seconds",
    "load_catalogue",
    "loop_stopwatch",
    "ratio_to_wall_time",
    "returns_while_held",
    "usable_cpus",
    "wait_until",
]


def __getattr__(name: str) -> Any:
    home = _HOME_OF.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
