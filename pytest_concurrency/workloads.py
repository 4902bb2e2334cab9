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
import urllib.request

__all__ = [
    "current_pid",
    "current_thread_name",
    "download",
    "fibonacci",
    "identity",
    "md5_name",
    "numpy_random_integer",
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


def numpy_random_integer(_: object = None) -> int:
    """A draw from numpy's legacy global generator (copied, not reseeded, by fork)."""
    import numpy as np  # imported here so that spawn children that do not need it skip it

    return int(np.random.randint(0, 2**62, dtype=np.int64))


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
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    path = os.path.join(folder, md5_name(url))
    with open(path, "wb") as file:
        file.write(body)
    return path
