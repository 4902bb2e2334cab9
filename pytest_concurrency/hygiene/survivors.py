"""What a test left behind (:class:`Survivor`), joining workers within a bound, and the
failure message that names what was left and how to release it."""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class _Joinable(Protocol):
    name: str

    def join(self, timeout: float | None = None) -> None: ...

    def is_alive(self) -> bool: ...


@dataclass(frozen=True)
class Survivor:
    """Something a test started and did not stop."""

    what: str  # "thread", "process", "task", "event loop", "child process", "semaphore", ...
    name: str
    owner: str = ""
    detail: str = ""  # where it was made, what state it is in

    def __str__(self) -> str:
        owner = f" of {self.owner}" if self.owner else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.what} {self.name!r}{owner}{detail}"


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


_FIXES = {
    "thread": "join threads",
    "process": "join processes",
    "task": "await or cancel tasks",
    "event loop": "close event loops (or make them with asyncio.run or asyncio.Runner)",
    "child process": "wait() for every subprocess.Popen (or use it in a with block)",
    "semaphore": "release multiprocessing locks, semaphores and queues of spawn and "
    "forkserver contexts (close queues, drop the references)",
    "shared memory": "close() and unlink() shared memory blocks",
}
_RUNNING = {"thread", "process", "task", "child process"}


def describe(survivors: list[Survivor]) -> str:
    """One sentence naming what was left behind and how to fix it, for a failure message."""
    names = "; ".join(str(s) for s in survivors)
    kinds = list(dict.fromkeys(s.what for s in survivors))
    fixes = ["shut pools down"] if {"thread", "process"} & set(kinds) else []
    fixes += [_FIXES.get(kind, f"release the {kind}") for kind in kinds]
    state = "running" if set(kinds) <= _RUNNING else "behind"
    return (
        f"the test left {len(survivors)} thing(s) {state} after its teardown: {names}. "
        f"Stop them in the test or its fixture ({', '.join(fixes)}), "
        "or mark the test with @pytest.mark.allow_leaks(reason=...)."
    )
