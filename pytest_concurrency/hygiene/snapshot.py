"""Before and after a test: what it started and left (:class:`Snapshot`), and what fixtures of
broader scope start (:func:`long_lived`)."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.process
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .children import _child_survivors, _children_since, _infrastructure_pids, _last_pid
from .registries import (
    _dropped_loops,
    _install,
    _kept_pids,
    _kept_workers,
    _loops,
    _named,
    _Origin,
    _origin_of,
    _serials,
    keep_alive,
    spawn_count,
)
from .survivors import Survivor, join_all


@dataclass
class _Mark:
    """What existed at one moment."""

    threads: set[threading.Thread] = field(default_factory=lambda: set(threading.enumerate()))
    processes: set[Any] = field(default_factory=lambda: set(multiprocessing.active_children()))
    serial: int = field(default_factory=lambda: next(_serials))
    spawns: int = field(default_factory=spawn_count)
    last_pid: int | None = field(default_factory=_last_pid)


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Everything started within the block is long-lived (:func:`keep_alive`): the plugin
    wraps the setup of every fixture broader than a function in it, so that a session
    fixture's thread is not blamed on the test that happened to set it up."""
    _install()
    mark = _Mark()
    try:
        yield
    finally:
        now = _Mark()
        keep_alive(now.threads - mark.threads)
        keep_alive(now.processes - mark.processes)
        if now.spawns != mark.spawns:
            keep_alive(_children_since(mark.last_pid, now.last_pid))
        for loop in list(_loops):
            origin = _origin_of(loop)
            if origin is not None and origin.serial > mark.serial:
                origin.kept = True
        for origin in list(_named.values()):
            if origin.serial > mark.serial:
                origin.kept = True


_RESOURCE_NAMES = {"semaphore": "semaphore", "shared_memory": "shared memory"}


class Snapshot:
    """What is alive when a test starts; :meth:`survivors` says what the test added."""

    def __init__(self) -> None:
        _install()
        self._start = _Mark()
        self._after_setup: _Mark | None = None
        #: What other plugins' hooks made during the test and left open: not the test's, so
        #: not among its survivors (see :func:`.registries._site_and_hook`).
        self.made_by_other_hooks: list[tuple[Survivor, str]] = []

    @property
    def threads(self) -> set[threading.Thread]:
        return self._start.threads

    @property
    def processes(self) -> set[Any]:
        return self._start.processes

    def setup_done(self) -> None:
        """Note that the test's fixtures are set up: what started before came from them."""
        self._after_setup = _Mark(last_pid=None)

    def survivors(self, grace: float) -> list[Survivor]:
        """What appeared since the snapshot and is still there after ``grace`` seconds:
        threads, processes and children still running, loops and named resources still
        open. Children and ``multiprocessing`` processes still running are terminated."""
        deadline = time.monotonic() + grace
        left = self._workers(grace)
        left += self._children(max(0.0, deadline - time.monotonic()))
        left += self._named()
        left += self._loops()
        return left

    def _by_fixture(self, worker: object) -> bool:
        return self._after_setup is not None and (
            worker in self._after_setup.threads or worker in self._after_setup.processes
        )

    def _workers(self, grace: float) -> list[Survivor]:
        new: list[Any] = [
            w
            for w in [*threading.enumerate(), *multiprocessing.active_children()]
            if w not in self._start.threads
            and w not in self._start.processes
            and w not in _kept_workers
        ]
        from_fixtures = [w for w in new if self._by_fixture(w)]
        deadline = time.monotonic() + grace
        hint = "started while the test's fixtures were set up: stop it in the fixture's teardown"
        left = [replace(s, detail=hint) for s in join_all(from_fixtures, grace)]
        rest = [w for w in new if not self._by_fixture(w)]
        return left + join_all(rest, max(0.0, deadline - time.monotonic()))

    def _children(self, grace: float) -> list[Survivor]:
        if spawn_count() == self._start.spawns:
            return []  # no process started through the calls that make children
        children = _children_since(self._start.last_pid, _last_pid())
        if not children:
            return []
        known = {p.pid for p in multiprocessing.active_children()} | _infrastructure_pids()
        known |= {p.pid for p in self._start.processes} | _kept_pids
        return _child_survivors({p: s for p, s in children.items() if p not in known}, grace)

    def _new_named(self) -> list[tuple[str, str]]:
        return [
            key
            for key, origin in list(_named.items())
            if origin.serial > self._start.serial and not origin.kept
        ]

    def _named(self) -> list[Survivor]:
        if not self._new_named():
            return []
        gc.collect()  # a lock or queue no longer referenced releases its semaphores
        survivors = []
        for rtype, name in self._new_named():
            origin = _named.get((rtype, name))
            where = f"created at {origin.site}" if origin and origin.site else ""
            survivor = Survivor(_RESOURCE_NAMES.get(rtype, rtype), name, detail=where)
            if origin is not None and origin.made_by_hook:
                self.made_by_other_hooks.append((survivor, origin.made_by_hook))
                origin.kept = True  # said once, with the hook that made it
            else:
                survivors.append(survivor)
        return survivors

    def _loops(self) -> list[Survivor]:
        found = []
        for loop in list(_loops):
            origin = _origin_of(loop)
            if origin is None or origin.kept or origin.serial <= self._start.serial:
                continue
            if not loop.is_closed():
                found.append((_loop_survivor(repr(loop), origin, "not closed"), origin))
        for name, origin in list(_dropped_loops):
            if origin.serial > self._start.serial and not origin.kept:
                state = "dropped without being closed"
                found.append((_loop_survivor(name, origin, state), origin))
        _dropped_loops.clear()
        survivors = []
        for survivor, origin in found:
            if origin.made_by_hook:
                self.made_by_other_hooks.append((survivor, origin.made_by_hook))
                origin.kept = True  # said once, with the hook that made it
            else:
                survivors.append(survivor)
        return survivors


def _loop_survivor(name: str, origin: _Origin, state: str) -> Survivor:
    where = f", created at {origin.site}" if origin.site else ""
    return Survivor("event loop", name, detail=f"{state}{where}")
