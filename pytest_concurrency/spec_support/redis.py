"""A real ``redis-server`` for the specs of the note's Redis example (EX-12).

Spec support, not the plugin's API: the ``redis_server`` fixture that uses it is defined in
``specs/conftest.py``. Like everything in ``spec_support``, it imports nothing of pytest.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

from ..servers import free_port
from ..timeouts import hang_bound

__all__ = ["RedisServer", "RedisUnavailable"]

#: In the foreground, with persistence off: nothing written, nothing left behind. ``--hz 100``
#: makes it notice SIGTERM within 10 ms rather than 100 ms, which every test's teardown waits.
_REDIS_EPHEMERAL = ("--save", "", "--appendonly", "no", "--daemonize", "no", "--hz", "100")


class RedisUnavailable(RuntimeError):
    """No ``redis-server`` could be started here; the message says why."""


class RedisServer:
    """A real ``redis-server`` on a free port of 127.0.0.1, with no persistence."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable(
                "redis-server is not installed (Debian: apt-get install redis-server)"
            )
        self.port = free_port()
        self._process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", self.host, *_REDIS_EPHEMERAL],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + hang_bound("short")
        while True:  # poll until it accepts connections: it offers nothing else to wait on
            if self._process.poll() is not None:
                raise RedisUnavailable(f"redis-server exited with {self._process.returncode}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RedisUnavailable("redis-server did not accept connections") from None
                time.sleep(0.01)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(hang_bound("short"))
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
