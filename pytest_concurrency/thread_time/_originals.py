"""The unpatched functions and types, captured when this package is first imported.

While a bubble is active, ``time``, ``threading`` and ``queue`` module attributes are replaced;
the bubble's own bookkeeping, and every thread outside the bubble, use these.
"""

from __future__ import annotations

import _thread
import asyncio
import os
import queue
import threading
import time

allocate_lock = _thread.allocate_lock
get_ident = _thread.get_ident
getpid = os.getpid
thread_local = _thread._local

monotonic = time.monotonic
monotonic_ns = time.monotonic_ns
perf_counter = time.perf_counter
perf_counter_ns = time.perf_counter_ns
wall_time = time.time
wall_time_ns = time.time_ns
sleep = time.sleep

Lock = threading.Lock
RLock = threading.RLock
Condition = threading.Condition
threading_allocate_lock = threading._allocate_lock  # type: ignore[attr-defined]
threading_time = threading._time  # type: ignore[attr-defined]
thread_start = threading.Thread.start
thread_join = threading.Thread.join
PyRLock = threading._PyRLock  # type: ignore[attr-defined]

queue_time = queue.time  # type: ignore[attr-defined]
SimpleQueue = queue.SimpleQueue
PySimpleQueue = queue._PySimpleQueue  # type: ignore[attr-defined]

new_event_loop = asyncio.events.new_event_loop
