"""Work functions for process pools.

A process pool sends the callable to its workers by reference (module and name), so the
function must be importable in the child under every start method, whatever pytest's import
mode. Functions defined in a test module are not, under ``spawn`` and ``forkserver`` with
``--import-mode=importlib``; these are. Keep them small, pure and top-level.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time

__all__ = [
    "current_pid",
    "current_thread_name",
    "download",
    "fibonacci",
    "identity",
    "md5_name",
    "raise_value_error",
    "random_integer",
    "square",
    "wait_for_real_seconds",
]


def identity(value: object) -> object:
    """Return ``value`` unchanged (to see what survives the trip to a worker)."""
    return value


def square(number: int) -> int:
    """``number`` squared."""
    return number * number


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number, computed the slow recursive way (CPU-bound on purpose)."""
    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)


def current_pid(_: object = None) -> int:
    """The process ID of the worker that ran the call."""
    return os.getpid()


def current_thread_name(_: object = None) -> str:
    """The name of the thread that ran the call."""
    return threading.current_thread().name


def random_integer(_: object = None) -> int:
    """A draw from Python's ``random`` module (reseeded in forked children)."""
    return random.randrange(2**62)


def raise_value_error(message: str) -> None:
    """Raise ``ValueError(message)``, to see how a worker's exception comes back."""
    raise ValueError(message)


def wait_for_real_seconds(seconds: float) -> float:
    """Block the worker for ``seconds`` of wall time, as a blocking I/O call would.

    For performance specs that need work of a known length; never to synchronise.
    """
    time.sleep(seconds)
    return seconds


def md5_name(url: str) -> str:
    """The file name the download example gives a URL: the hex MD5 digest of the URL."""
    return hashlib.md5(url.encode("utf-8")).hexdigest()


def download(url: str, folder: str) -> str:
    """Fetch ``url`` and write its body to ``folder/<md5 of url>``; return the file's path."""
    import urllib.request  # here: workers that never download skip its 35 ms of imports

    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    path = os.path.join(folder, md5_name(url))
    with open(path, "wb") as file:
        file.write(body)
    return path


def fetch(url: str) -> bytes:
    """Fetch ``url`` and return its body: a blocking call that a held
    :class:`~pytest_concurrency.servers.LatencyServer` keeps waiting, so it can gate work in any
    kind of pool (a ``threading.Event`` cannot cross into a worker process)."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as response:
        body: bytes = response.read()
    return body


def fetch_then_pid(url: str) -> int:
    """:func:`fetch` ``url``, then return the pid of the process that fetched it."""
    fetch(url)
    return os.getpid()


__all__ += ["fetch", "fetch_then_pid"]


# Work functions for the foundations specs (random numbers after fork, CPU-bound parallelism).
# A spec hands each worker a barrier through the pool's initializer; every task waits there, so
# N tasks with an N-party barrier run on N different workers, deterministically.

_rendezvous: list[object] = []
_private_generator = random.Random()  # made at import: copied, not reseeded, by fork


def keep_barrier(barrier: object) -> None:
    """Pool initializer: keep ``barrier`` (a multiprocessing ``Barrier``) for the tasks."""
    _rendezvous[:] = [barrier]


def _meet() -> None:
    barrier = _rendezvous[0]
    barrier.wait(60)  # type: ignore[attr-defined]


def meet_then_numpy_draw(_: object = None) -> tuple[int, int]:
    """Wait at the kept barrier, then draw from numpy's legacy global generator:
    ``(worker pid, draw)``."""
    import numpy as np

    _meet()
    return os.getpid(), int(np.random.randint(0, 2**62, dtype=np.int64))


def meet_then_reseeded_numpy_draw(_: object = None) -> tuple[int, int]:
    """Like :func:`meet_then_numpy_draw`, after reseeding with ``np.random.seed()``."""
    import numpy as np

    _meet()
    np.random.seed()
    return os.getpid(), int(np.random.randint(0, 2**62, dtype=np.int64))


def meet_then_random_draw(_: object = None) -> tuple[int, int]:
    """Wait at the kept barrier, then draw from the ``random`` module's shared generator."""
    _meet()
    return os.getpid(), random.getrandbits(62)


def meet_then_private_random_draw(_: object = None) -> tuple[int, int]:
    """Wait at the kept barrier, then draw from a ``random.Random()`` this module made at import."""
    _meet()
    return os.getpid(), _private_generator.getrandbits(62)


def fibonacci_cpu_seconds(n: int) -> float:
    """Compute ``fibonacci(n)`` and return the CPU time the calling thread spent on it."""
    started = time.thread_time()
    fibonacci(n)
    return time.thread_time() - started


def make_lock(_: object = None) -> object:
    """Return a new ``threading.Lock``: a result that cannot be pickled."""
    return threading.Lock()


__all__ += [
    "fibonacci_cpu_seconds",
    "keep_barrier",
    "make_lock",
    "meet_then_numpy_draw",
    "meet_then_private_random_draw",
    "meet_then_random_draw",
    "meet_then_reseeded_numpy_draw",
]


def report_cpu_time(into: object) -> None:
    """Store this process's CPU time so far in ``into`` (a multiprocessing ``Value('d')``).

    A child started by fork, spawn or a forkserver has a CPU clock of its own from its start,
    so this is what starting it (and getting this far) cost in the child.
    """
    into.value = time.process_time()  # type: ignore[attr-defined]


__all__ += ["report_cpu_time"]
