"""pytest-concurrency-specs: test concurrent Python across executors and event loops.

The toolkit's public API; everything else is internal, except these documented modules:
``pytest_concurrency.cpu`` (ratios of medians measured under other programs' load, for
performance claims), ``pytest_concurrency.exploration`` (exploration's finer parts) and
``pytest_concurrency.claims`` (the claims machinery: ``Claim``, ``VERDICTS``,
``load_catalogue``). Fixtures (``executor``, ``process_executor``, ``http_server``, ...) and
markers (``claim``, ``python``, ``loop_flavours``, ...) come with the plugin and need no import.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing's: a pool worker that imports this skips importing typing
if TYPE_CHECKING:
    from typing import Any

    from .clock import LoopStopwatch, VirtualTimeEventLoop, loop_stopwatch
    from .cpu import usable_cpus
    from .executors import START_METHODS, available_start_methods
    from .executors import kinds as executor_kinds
    from .exploration import Exploration, explore, explore_async
    from .held import condition_holds, returns_while_held
    from .loops import FLAVOURS, available_flavours
    from .markers import gil_enabled
    from .servers import LatencyServer
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
    ".clock": ("LoopStopwatch", "VirtualTimeEventLoop", "loop_stopwatch"),
    ".cpu": ("usable_cpus",),
    ".executors": ("START_METHODS", "available_start_methods", "executor_kinds"),
    ".exploration": ("Exploration", "explore", "explore_async"),
    ".held": ("condition_holds", "returns_while_held"),
    ".loops": ("FLAVOURS", "available_flavours"),
    ".markers": ("gil_enabled",),
    ".servers": ("LatencyServer",),
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
#: A public name whose object has another name in its home module.
_RENAMED = {"executor_kinds": "kinds"}

#: Names this package exported until this release, and their new homes: they still work, with
#: a DeprecationWarning, for one release (``available_kinds`` below, too).
_DEPRECATED: dict[str, str] = {
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

__all__ = [
    "FLAVOURS",
    "START_METHODS",
    "AsyncSequencer",
    "Exploration",
    "Gate",
    "HangError",
    "LatencyServer",
    "LoopStopwatch",
    "Sequencer",
    "VirtualTimeEventLoop",
    "assert_blocks",
    "available_flavours",
    "available_start_methods",
    "condition_holds",
    "executor_kinds",
    "explore",
    "explore_async",
    "future_state",
    "gil_enabled",
    "hang_bound",
    "loop_stopwatch",
    "returns_while_held",
    "usable_cpus",
    "wait_until",
]


def __getattr__(name: str) -> Any:
    home = _HOME_OF.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home, __name__), _RENAMED.get(name, name))
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _DEPRECATED or name == "available_kinds":
        return _deprecated(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _deprecated(name: str) -> Any:
    """An old top-level name: warns, naming its new home, on every use (never cached)."""
    import warnings

    if name == "available_kinds":
        executors = importlib.import_module(".executors", __name__)
        warnings.warn(
            "pytest_concurrency.available_kinds() is deprecated and goes in the next release; "
            "use pytest_concurrency.executor_kinds(available=True), which also lists the "
            "registered kinds that can run here",
            DeprecationWarning,
            stacklevel=3,
        )
        return executors._available_kinds
    home = _DEPRECATED[name]
    warnings.warn(
        f"pytest_concurrency.{name} moved to {home}.{name}; the old name goes in the next release",
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
