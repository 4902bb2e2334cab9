"""What a test leaves behind: threads, processes, tasks, event loops and named resources.

The plugin takes a :class:`Snapshot` before a test's setup and asks it, after the teardown,
what appeared in between and is still there:

* threads and ``multiprocessing`` child processes still alive after a grace period;
* for async tests, the tasks the test body created and left pending;
* event loops created and not closed (``asyncio.new_event_loop()`` never closed), including
  loops dropped unclosed and collected before the check;
* child processes started otherwise (``subprocess``, ``os.fork``): still running, or exited
  and never waited for (zombies). Linux only: read from ``/proc``;
* named semaphores and shared memory blocks registered with ``multiprocessing``'s resource
  tracker and not released (the objects behind "There appear to be N leaked semaphore
  objects to clean up at shutdown").

What a fixture of a broader scope (class, module, package, session) starts during its setup
belongs to that fixture and is not blamed on the test (:func:`long_lived`); a pool kept
across tests registers its workers with :func:`keep_alive`. ``--leak-check=fail`` (the
default) turns a finding into an error of the test; ``warn`` reports it as a warning; ``off``
skips the check.

How each kind is seen, cheaply enough to run around every test: threads and processes by
``threading.enumerate()`` and ``multiprocessing.active_children()``; event loops by a weak
registry filled by ``BaseEventLoop.__init__`` (and ``uvloop.Loop.__init__`` once uvloop is
imported), which this module wraps; named resources by wrapping the resource tracker's
``register``/``unregister``; other children, when the test made a spawning call (an audit
hook counts ``os.fork``, ``subprocess.Popen``, ``os.posix_spawn``...), by the pids allocated
since the snapshot (``/proc/loadavg`` names the last one) whose parent is this process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import itertools
import multiprocessing
import multiprocessing.process
import os
import select
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from types import FrameType
from typing import Any, Protocol

__all__ = [
    "LEAK_CHECK_MODES",
    "Snapshot",
    "Survivor",
    "children_check_available",
    "describe",
    "join_all",
    "keep_alive",
    "long_lived",
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


# --- where things were made ------------------------------------------------------------------

_serials = itertools.count(1)


@dataclass
class _Origin:
    """When (a serial number, increasing) and where (``file:line``) something was made."""

    serial: int
    site: str
    kept: bool = False  # long-lived: a broader fixture's, or registered by keep_alive


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_STDLIB_DIR = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
# Frames of the test harness: reaching one means no test or fixture code made the object.
_HARNESS_PARTS = tuple(
    f"{os.sep}{name}{os.sep}" for name in ("_pytest", "pluggy", "pytest_asyncio")
)
_LIBRARY_PARTS = (f"{os.sep}uvloop{os.sep}",)


def _site() -> str:
    """``file:line`` of the innermost caller that is test or fixture code, or ``""``."""
    frame: FrameType | None = sys._getframe(2)
    for _ in range(60):
        if frame is None:
            break
        filename = frame.f_code.co_filename
        if any(part in filename for part in _HARNESS_PARTS):
            break
        in_stdlib = filename.startswith(_STDLIB_DIR) and "-packages" not in filename
        ours = filename.startswith(_PACKAGE_DIR) or any(p in filename for p in _LIBRARY_PARTS)
        if not (in_stdlib or ours or filename.startswith("<")):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return ""


# --- the registries: event loops, named resources, long-lived workers -----------------------

_ORIGIN_ATTRIBUTE = "_pytest_concurrency_origin"
_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
_dropped_loops: list[tuple[str, _Origin]] = []  # collected while still open
_named: dict[tuple[str, str], _Origin] = {}  # (resource type, name): registered, not released
_kept_workers: weakref.WeakSet[Any] = weakref.WeakSet()  # threads and processes
_kept_pids: set[int] = set()
_wrapped: set[object] = set()
_install_lock = threading.Lock()


def _origin_of(loop: object) -> _Origin | None:
    origin = getattr(loop, "__dict__", {}).get(_ORIGIN_ATTRIBUTE)
    return origin if isinstance(origin, _Origin) else None


def _wrap_loop_class(cls: type) -> None:
    """Make ``cls`` (a loop class) register every instance in the weak loop registry."""
    if cls in _wrapped:
        return
    original_init: Callable[..., None] = cls.__init__  # type: ignore[misc]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        try:
            self.__dict__[_ORIGIN_ATTRIBUTE] = _Origin(next(_serials), _site())
            _loops.add(self)
        except (AttributeError, TypeError):  # an instance without __dict__ or weakrefs
            pass

    __init__.__doc__ = original_init.__doc__
    cls.__init__ = __init__  # type: ignore[misc]
    original_del: Callable[[Any], None] | None = getattr(cls, "__del__", None)
    if original_del is not None and "__del__" in cls.__dict__:

        def __del__(self: Any) -> None:
            origin = _origin_of(self)
            if origin is not None and not getattr(self, "_closed", True):
                _dropped_loops.append((repr(self), origin))
            assert original_del is not None
            original_del(self)

        cls.__del__ = __del__  # type: ignore[attr-defined]
    _wrapped.add(cls)


def _wrap_resource_tracker() -> None:
    """Record every name registered with the resource tracker until it is unregistered."""
    from multiprocessing import resource_tracker

    if resource_tracker in _wrapped:
        return
    register, unregister = resource_tracker.register, resource_tracker.unregister

    def tracked_register(name: Any, rtype: str) -> None:
        _named[(rtype, name)] = _Origin(next(_serials), _site())
        register(name, rtype)

    def tracked_unregister(name: Any, rtype: str) -> None:
        _named.pop((rtype, name), None)
        unregister(name, rtype)

    # Callers look these up on the module at each call (synchronize.py imports them inside
    # the function; shared_memory.py through the module), so the wrappers see every one.
    resource_tracker.register = tracked_register
    resource_tracker.unregister = tracked_unregister
    _wrapped.add(resource_tracker)


# Audit events of the calls that start a process; a test that made none started no child
# this way, so the leak check does not look for one (multiprocessing's own ``spawn`` is not
# audited, but its processes are found through ``multiprocessing.active_children()``).
_SPAWN_EVENTS = frozenset(
    {
        "os.fork",
        "os.forkpty",
        "os.posix_spawn",
        "os.posix_spawnp",
        "os.spawn",
        "os.system",
        "subprocess.Popen",
    }
)
_spawns = 0  # spawning calls so far in this process


def _count_spawns(event: str, args: tuple[Any, ...]) -> None:
    global _spawns
    if event in _SPAWN_EVENTS:
        _spawns += 1


def _install() -> None:
    """Start watching loops, named resources and spawning calls (once per process)."""
    uvloop = sys.modules.get("uvloop")
    if asyncio.BaseEventLoop in _wrapped and (uvloop is None or uvloop.Loop in _wrapped):
        return
    with _install_lock:
        if _count_spawns not in _wrapped:
            sys.addaudithook(_count_spawns)  # an audit hook cannot be removed: install once
            _wrapped.add(_count_spawns)
        _wrap_loop_class(asyncio.BaseEventLoop)
        if uvloop is not None:
            _wrap_loop_class(uvloop.Loop)
        if sys.platform != "win32":  # semaphores are unlinked at once on Windows
            _wrap_resource_tracker()


def _semaphore_names(obj: object) -> list[tuple[str, str]]:
    """The named semaphores of a lock, semaphore or queue, or of one held by ``obj``."""
    import multiprocessing.synchronize

    def names_of(value: object) -> list[tuple[str, str]]:
        if isinstance(value, multiprocessing.synchronize.SemLock):
            name = getattr(getattr(value, "_semlock", None), "name", None)
            return [("semaphore", name)] if name else []
        found = []
        for part in ("_rlock", "_wlock", "_sem"):  # Queue, SimpleQueue, JoinableQueue
            inner = getattr(value, part, None)
            if isinstance(inner, multiprocessing.synchronize.SemLock):
                found += names_of(inner)
        return found

    found = names_of(obj)
    for value in list(getattr(obj, "__dict__", {}).values()):
        found += names_of(value)
    return found


def keep_alive(things: Iterable[object]) -> None:
    """Register long-lived things, so that the leak check of the test running now (and of
    later tests) does not count them: a pool kept warm across tests, a server shared by a
    session.

    Accepts threads, ``multiprocessing`` processes, process ids, ``subprocess.Popen``
    objects, event loops, ``multiprocessing`` locks, semaphores and queues, shared memory
    blocks, and executors (their worker threads and processes, and the semaphores of their
    queues). Nothing is held strongly: a kept thread that ends is forgotten.

    >>> pool = concurrent.futures.ThreadPoolExecutor(2)
    >>> keep_alive([pool])
    """
    _install()
    for thing in things:
        if isinstance(thing, bool):
            continue
        if isinstance(thing, int):
            _kept_pids.add(thing)
        elif isinstance(thing, threading.Thread):
            _kept_workers.add(thing)
            _keep_names(_semaphore_names(thing))  # a pool's manager thread holds its queues
        elif isinstance(thing, multiprocessing.process.BaseProcess):
            _kept_workers.add(thing)
            if thing.pid is not None:
                _kept_pids.add(thing.pid)
        elif isinstance(thing, concurrent.futures.Executor):
            _keep_names(_semaphore_names(thing))
            keep_alive(_executor_parts(thing))
        elif isinstance(thing, asyncio.AbstractEventLoop):
            origin = _origin_of(thing)
            if origin is not None:
                origin.kept = True
        elif (pid := getattr(thing, "pid", None)) is not None and hasattr(thing, "poll"):
            _kept_pids.add(int(pid))  # a subprocess.Popen
        else:
            _keep_names(_semaphore_names(thing) + _shared_memory_name(thing))


def _shared_memory_name(thing: object) -> list[tuple[str, str]]:
    shm = sys.modules.get("multiprocessing.shared_memory")
    if shm is not None and isinstance(thing, shm.SharedMemory):
        return [("shared_memory", thing._name)]
    return []


def _keep_names(names: Iterable[tuple[str, str]]) -> None:
    for key in names:
        origin = _named.get(key)
        if origin is not None:
            origin.kept = True


def _executor_parts(pool: concurrent.futures.Executor) -> list[object]:
    # The executors keep their workers in private attributes (as executors.workers_of reads).
    parts: list[object] = []
    if isinstance(pool, concurrent.futures.ThreadPoolExecutor):
        parts += list(pool._threads)
    elif isinstance(pool, concurrent.futures.ProcessPoolExecutor):
        parts += list((getattr(pool, "_processes", None) or {}).values())
        for name in ("_executor_manager_thread", "_call_queue", "_result_queue"):
            part = getattr(pool, name, None)
            if part is not None:
                parts.append(part)
        feeder = getattr(getattr(pool, "_call_queue", None), "_thread", None)
        if feeder is not None:
            parts.append(feeder)
    return parts


# --- child processes, from /proc (Linux) ------------------------------------------------------


def _last_pid() -> int | None:
    """The last process id the kernel allocated (in this pid namespace), or None off Linux."""
    try:
        with open("/proc/loadavg", "rb") as loadavg:
            return int(loadavg.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def children_check_available() -> bool:
    """Whether children started with ``subprocess`` or ``os.fork`` can be seen here (Linux)."""
    return _last_pid() is not None and os.path.exists(f"/proc/{os.getpid()}/stat")


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state letter, command name) of ``pid``, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read().decode(errors="replace")
    except OSError:
        return None
    name_end = text.rfind(")")
    fields = text[name_end + 2 :].split()
    return int(fields[1]), fields[0], text[text.find("(") + 1 : name_end]


def _children_since(low: int | None, high: int | None) -> dict[int, str]:
    """This process's children with pids allocated after ``low`` up to ``high``: pid to state."""
    if low is None or high is None or low == high:
        return {}
    me = os.getpid()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        # Pids grow, then wrap around to small numbers.
        new = low < pid <= high if low < high else (pid > low or pid <= high)
        stat = _stat(pid) if new else None
        if stat is not None and stat[0] == me:
            found[pid] = stat[1]
    return found


# Helpers multiprocessing (and loky, joblib's copy of it) start once and keep for the process.
_TRACKERS = ("multiprocessing", "loky.backend", "joblib.externals.loky.backend")


def _infrastructure_pids() -> set[int]:
    """multiprocessing's (and loky's) own helpers: the resource trackers and the forkserver."""
    pids = set()
    for package in _TRACKERS:
        tracker = sys.modules.get(f"{package}.resource_tracker")
        pids.add(getattr(getattr(tracker, "_resource_tracker", None), "_pid", None))
    forkserver = sys.modules.get("multiprocessing.forkserver")
    pids.add(getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None))
    return {pid for pid in pids if isinstance(pid, int)}


def _command(pid: int, fallback: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().rstrip(b"\0").split(b"\0")
    except OSError:
        return fallback
    command = " ".join(w.decode(errors="replace") for w in words if w)
    return (command[:77] + "...") if len(command) > 80 else (command or fallback)


def _wait_exited(pids: Iterable[int], deadline: float) -> None:
    """Wait (without reaping) until every pid has exited or ``deadline`` passes."""
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # no pidfd here: poll the state instead
            while time.monotonic() < deadline and (_stat(pid) or (0, "Z", ""))[1] != "Z":
                time.sleep(0.005)
            continue
        try:
            select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(fd)


def _child_survivors(pids: dict[int, str], grace: float) -> list[Survivor]:
    """Report the children: those still running after ``grace`` are terminated."""
    _wait_exited([p for p, state in pids.items() if state != "Z"], time.monotonic() + grace)
    survivors = []
    for pid in sorted(pids):
        stat = _stat(pid)
        if stat is None or stat[0] != os.getpid():
            continue  # waited for in the meantime
        name = _command(pid, stat[2])
        if stat[1] == "Z":
            detail = f"pid {pid}, exited but never waited for: call wait() on its Popen"
        else:
            _stop(pid)
            detail = f"pid {pid}, still running: terminated; wait() for it or kill() it"
        survivors.append(Survivor("child process", name, detail=detail))
    return survivors


def _stop(pid: int) -> None:
    # The pid is our unreaped child: it cannot have been reused by another process.
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)
        _wait_exited([pid], time.monotonic() + 1.0)
        if (_stat(pid) or (0, "Z", ""))[1] != "Z":
            os.kill(pid, signal.SIGKILL)


# --- before and after ------------------------------------------------------------------------


@dataclass
class _Mark:
    """What existed at one moment."""

    threads: set[threading.Thread] = field(default_factory=lambda: set(threading.enumerate()))
    processes: set[Any] = field(default_factory=lambda: set(multiprocessing.active_children()))
    serial: int = field(default_factory=lambda: next(_serials))
    spawns: int = field(default_factory=lambda: _spawns)
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
        if _spawns == self._start.spawns:
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
            survivors.append(Survivor(_RESOURCE_NAMES.get(rtype, rtype), name, detail=where))
        return survivors

    def _loops(self) -> list[Survivor]:
        survivors = []
        for loop in list(_loops):
            origin = _origin_of(loop)
            if origin is None or origin.kept or origin.serial <= self._start.serial:
                continue
            if not loop.is_closed():
                survivors.append(_loop_survivor(repr(loop), origin, "not closed"))
        for name, origin in list(_dropped_loops):
            if origin.serial > self._start.serial and not origin.kept:
                survivors.append(_loop_survivor(name, origin, "dropped without being closed"))
        _dropped_loops.clear()
        return survivors


def _loop_survivor(name: str, origin: _Origin, state: str) -> Survivor:
    where = f", created at {origin.site}" if origin.site else ""
    return Survivor("event loop", name, detail=f"{state}{where}")


def pending_tasks(
    loop: asyncio.AbstractEventLoop, before: set[asyncio.Task[Any]]
) -> list[asyncio.Task[Any]]:
    """Tasks of ``loop`` that are not done and were not in ``before``."""
    return [task for task in asyncio.all_tasks(loop) if task not in before and not task.done()]


def still_pending(tasks: list[asyncio.Task[Any]]) -> list[asyncio.Task[Any]]:
    """Those of ``tasks`` that nothing has finished yet. A task of a closed loop counts as
    pending: closing the loop cancelled it, nobody else did."""
    return [task for task in tasks if task.get_loop().is_closed() or not task.done()]


def task_survivors(tasks: list[asyncio.Task[Any]]) -> list[Survivor]:
    """Left-behind tasks, named with the coroutine each runs, so the user knows what to stop."""
    survivors = []
    for task in tasks:
        coro = task.get_coro()
        running = getattr(coro, "__qualname__", None) or type(coro).__name__
        survivors.append(Survivor("task", task.get_name(), detail=f"running {running}()"))
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
