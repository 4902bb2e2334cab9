"""pytest-concurrency-specs: test concurrent Python across executors and event loops.

The public API; everything else is internal. Fixtures (``executor``, ``process_executor``,
``http_server``, ...) and markers (``claim``, ``python``, ``loop_flavours``, ...) come with the
plugin and need no import.
"""

from .claims.catalogue import VERDICTS, Claim, load_catalogue
from .clock import LoopStopwatch, VirtualTimeEventLoop, loop_stopwatch
from .cpu import conclusive_ratio, idle_cpu_seconds, ratio_to_wall_time, usable_cpus
from .executors import START_METHODS, available_kinds, available_start_methods
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

__all__ = [
    "FLAVOURS",
    "START_METHODS",
    "VERDICTS",
    "AsyncSequencer",
    "Claim",
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
    "future_state",
    "gil_enabled",
    "hang_bound",
    "idle_cpu_seconds",
    "load_catalogue",
    "loop_stopwatch",
    "ratio_to_wall_time",
    "usable_cpus",
    "wait_until",
]
