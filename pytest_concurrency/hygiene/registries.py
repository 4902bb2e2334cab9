"""Where things were made, and the registries the checks read: event loops, names registered
with ``multiprocessing``'s resource tracker, spawning calls (an audit hook), and the
long-lived threads, processes and names :func:`keep_alive` exempts."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import multiprocessing
import multiprocessing.process
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from ..cpython_internals import executor_parts

# --- where things were made ------------------------------------------------------------------

_serials = itertools.count(1)


@dataclass
class _Origin:
    """When (a serial number, increasing) and where (``file:line``) something was made."""

    serial: int
    site: str
    kept: bool = False  # long-lived: a broader fixture's, or registered by keep_alive
    # Set when another plugin's hook made it (not the test, its fixtures or what they call):
    # "the hook pytest_pyfunc_call of looptime._internal.plugin".
    made_by_hook: str = ""


# The plugin's own frames: all of ``pytest_concurrency`` (this package's parent).
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_STDLIB_DIR = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
# Frames of the test harness: reaching one means no test or fixture code made the object.
_HARNESS_PARTS = tuple(
    f"{os.sep}{name}{os.sep}" for name in ("_pytest", "pluggy", "pytest_asyncio")
)
_PLUGGY_PART = f"{os.sep}pluggy{os.sep}"
_LIBRARY_PARTS = (f"{os.sep}uvloop{os.sep}",)


def _new_origin() -> _Origin:
    """The origin of something being made now, by the caller of the caller."""
    site, hook = _site_and_hook(sys._getframe(2))
    return _Origin(next(_serials), site, made_by_hook=hook)


def _site_and_hook(frame: FrameType | None) -> tuple[str, str]:
    """``file:line`` of the innermost frame that is test or fixture code (``""`` if none),
    and, if the outermost such frame is a hook implementation that pluggy called (another
    plugin's, or a conftest's), which hook of which module: then no test made the object.

    A test function is called by pytest, a fixture by pytest's fixture machinery, the code of
    an async test by the event loop pytest-asyncio runs; only hooks are called by pluggy.
    """
    site = ""
    outermost: FrameType | None = None
    for _ in range(60):
        if frame is None:
            break
        filename = frame.f_code.co_filename
        if any(part in filename for part in _HARNESS_PARTS):
            break
        in_stdlib = filename.startswith(_STDLIB_DIR) and "-packages" not in filename
        ours = filename.startswith(_PACKAGE_DIR) or any(p in filename for p in _LIBRARY_PARTS)
        if not (in_stdlib or ours or filename.startswith("<")):
            site = site or f"{filename}:{frame.f_lineno}"
            outermost = frame
        frame = frame.f_back
    hook = ""
    if (
        outermost is not None
        and frame is not None
        and outermost.f_back is frame
        and _PLUGGY_PART in frame.f_code.co_filename
        and outermost.f_code.co_name.startswith("pytest_")
    ):
        module = outermost.f_globals.get("__name__", outermost.f_code.co_filename)
        hook = f"the hook {outermost.f_code.co_name} of {module}"
    return site, hook


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
            self.__dict__[_ORIGIN_ATTRIBUTE] = _new_origin()
            _loops.add(self)
        except (AttributeError, TypeError):  # an instance without __dict__ or weakrefs
            pass

    __init__.__doc__ = original_init.__doc__
    cls.__init__ = __init__  # type: ignore[misc]
    original_del: Callable[[Any], None] | None = getattr(cls, "__del__", None)
    if original_del is not None and "__del__" in cls.__dict__:
        wrapped_del: Callable[[Any], None] = original_del

        def __del__(self: Any) -> None:
            origin = _origin_of(self)
            if origin is not None and not getattr(self, "_closed", True):
                _dropped_loops.append((repr(self), origin))
            wrapped_del(self)

        cls.__del__ = __del__  # type: ignore[attr-defined]
    _wrapped.add(cls)


def _wrap_resource_tracker() -> None:
    """Record every name registered with the resource tracker until it is unregistered."""
    from multiprocessing import resource_tracker

    if resource_tracker in _wrapped:
        return
    register, unregister = resource_tracker.register, resource_tracker.unregister

    def tracked_register(name: Any, rtype: str) -> None:
        _named[(rtype, name)] = _new_origin()
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


def spawn_count() -> int:
    """Spawning calls so far in this process (counted once :func:`_install` has run)."""
    return _spawns


_watching = True  # False under --leak-check=off: nothing is wrapped, no audit hook is added


def set_watching(on: bool) -> bool:
    """Whether the leak check may watch this process (wrap loop classes and the resource
    tracker, add its audit hook); returns the previous setting. ``--leak-check=off`` turns it
    off before anything is wrapped, so that off touches nothing."""
    global _watching
    previous, _watching = _watching, on
    return previous


def _install() -> None:
    """Start watching loops, named resources and spawning calls (once per process)."""
    if not _watching:
        return
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
            keep_alive(executor_parts(thing))
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
