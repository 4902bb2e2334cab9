"""What a test leaves behind: threads, child processes and asyncio tasks.

The plugin takes a :class:`Snapshot` when a test's setup is done and compares after its
teardown: a thread or child process that appeared in between and is still alive (after a grace
period to finish) was left behind. For async tests it also lists the tasks the test body
created and left pending. ``--leak-check=fail`` (the default) turns a finding into an error of
the test; ``warn`` reports it as a warning; ``off`` skips the check.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.process
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "LEAK_CHECK_MODES",
    "Snapshot",
    "Survivor",
    "describe",
    "join_all",
    "keep_alive",
    "pending_tasks",
]

LEAK_CHECK_MODES = ("fail", "warn", "off")


class _Joinable(Protocol):
    name: str

    def join(self, timeout: float | None = None) -> None: ...

    def is_alive(self) -> bool: ...


@dataclass(frozen=True)
class Survivor:
    """Something a test started and did not stop."""

    what: str  # "thread", "process" or "task"
    name: str
    owner: str = ""

    def __str__(self) -> str:
        owner = f" of {self.owner}" if self.owner else ""
        return f"{self.what} {self.name!r}{owner}"


def _what(worker: object) -> str:
    return "process" if isinstance(worker, multiprocessing.process.BaseProcess) else "thread"


def join_all(workers: Iterable[_Joinable], bound: float, owner: str = "") -> list[Survivor]:
    """Join every worker within ``bound`` seconds in all; terminate processes that outlive it.

    Returns the workers that were still alive at the bound.
    """
    deadline = time.monotonic() + bound
    survivors = []
    for worker in workers:
        if worker is threading.current_thread():
            continue
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            survivors.append(Survivor(_what(worker), worker.name, owner))
            if isinstance(worker, multiprocessing.process.BaseProcess):
                worker.terminate()  # leave nothing running, even when failing the test
                worker.join(1.0)
    return survivors


# Workers meant to outlive the test that started them (a warm pool's), weakly held.
_long_lived: weakref.WeakSet[object] = weakref.WeakSet()


def keep_alive(workers: Iterable[object]) -> None:
    """Mark threads or processes as long-lived: the leak check does not report them.

    For the workers of a warm pool, which go on running after a test by design.
    """
    _long_lived.update(workers)


class Snapshot:
    """The threads and child processes alive at one moment."""

    def __init__(self) -> None:
        self.threads = set(threading.enumerate())
        self.processes = set(multiprocessing.active_children())

    def survivors(self, grace: float) -> list[Survivor]:
        """Threads and child processes started since the snapshot and alive after ``grace``."""
        new_threads = [
            t for t in threading.enumerate() if t not in self.threads and t not in _long_lived
        ]
        new_processes = [
            p
            for p in multiprocessing.active_children()
            if p not in self.processes and p not in _long_lived
        ]
        return join_all([*new_threads, *new_processes], grace)


def pending_tasks(
    loop: asyncio.AbstractEventLoop, before: set[asyncio.Task[Any]]
) -> list[Survivor]:
    """Tasks of ``loop`` that are not done and were not in ``before``."""
    return [
        Survivor("task", task.get_name())
        for task in asyncio.all_tasks(loop)
        if task not in before and not task.done()
    ]


def describe(survivors: list[Survivor]) -> str:
    """One sentence naming what was left behind, for a failure message."""
    names = "; ".join(str(s) for s in survivors)
    return (
        f"the test left {len(survivors)} thing(s) running after its teardown: {names}. "
        "Stop them in the test or its fixture (shut pools down, join threads, close loops, "
        "await or cancel tasks), or mark the test with @pytest.mark.allow_leaks(reason=...)."
    )
