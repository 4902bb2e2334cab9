"""A local stand-in for the network: a loopback HTTP server with latency.

:class:`LatencyServer` answers every GET after a delay (the server's ``latency``, or a
``?latency=SECONDS`` query), and counts the requests in flight, so a spec can show that
downloads overlapped by the count itself, without a stopwatch. ``hold()`` makes requests wait
until ``release()``: with it, a spec can watch every request of a pool be in flight at once.

The Redis server moved to the specs' support (:mod:`pytest_concurrency.spec_support.redis`):
only the EX-12 specs need it. ``pytest_concurrency.servers.RedisServer`` still works, with a
DeprecationWarning, for one release.
"""

from __future__ import annotations

import contextlib
import http.server
import importlib
import socket
import threading
import time
import urllib.parse
import weakref
from typing import Any, ClassVar

from .timeouts import hang_bound

__all__ = ["LatencyServer", "free_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def setup(self) -> None:
        # A client that connects and never sends (or never reads) cannot keep this thread,
        # and with it stop(), which joins every request thread, waiting for ever. (What
        # super().setup() does with the class's timeout, read at request time.)
        super().setup()
        self.connection.settimeout(hang_bound("medium"))

    def do_GET(self) -> None:
        owner = self.server.owner
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query)
        latency = float(query["latency"][0]) if "latency" in query else owner.latency
        owner._enter(parsed.path)
        try:
            released = owner._gate.wait(hang_bound("medium"))
            if released and latency > 0:
                time.sleep(latency)  # the injected latency: what a slow network would cost
        finally:
            # Before answering: a client holding its response never sees itself in flight.
            owner._leave()
        if not released:
            self.send_error(503, "held too long")
            return
        body = owner.body_for(parsed.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the request threads: nothing left behind
    block_on_close = True
    # socketserver's default backlog of 5 makes the sixth simultaneous connect wait for a TCP
    # retransmission (about a second), which would hide the concurrency a spec is measuring.
    request_queue_size = 128
    owner: LatencyServer


class LatencyServer:
    """A threaded HTTP server on 127.0.0.1 whose answers take ``latency`` seconds.

    Use it as a context manager (or through the ``http_server`` fixture)::

        with LatencyServer(latency=0.05) as server:
            urllib.request.urlopen(server.url("/a")).read()   # b"body of /a"
    """

    _running: ClassVar[weakref.WeakSet[LatencyServer]] = weakref.WeakSet()

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.requests: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._gate = threading.Event()
        self._gate.set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def body_for(self, path: str) -> bytes:
        """The body served for ``path`` (deterministic, so a download can be checked)."""
        return f"body of {path}\n".encode()

    def url(self, path: str = "/", **query: object) -> str:
        """The full URL of ``path`` on this server, with an optional query (``latency=0.1``)."""
        if self._server is None:
            raise RuntimeError("the server is not running; use it as a context manager")
        host, port = self._server.server_address[:2]
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        return f"http://{host!s}:{port}{path}{suffix}"

    def hold(self) -> None:
        """Make every request wait, once it has arrived, until :meth:`release`.

        Never for ever: a request still held after the ``medium`` hang bound is answered
        ``503 held too long``, and :meth:`stop` (the fixture's teardown) releases every one.
        """
        self._gate.clear()

    def release(self) -> None:
        """Let held requests (and all later ones) be answered."""
        self._gate.set()

    @classmethod
    def release_all(cls) -> int:
        """Release every running server that holds its requests; return how many did.

        For teardown: a spec that fails between ``hold()`` and ``release()`` leaves workers
        waiting on the server, and they must end before their pools are shut down.
        """
        held = [server for server in list(cls._running) if not server._gate.is_set()]
        for server in held:
            server.release()
        return len(held)

    def _enter(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def start(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        # A short poll interval: stop() waits for the serving loop to notice, up to that long.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.002},
            name="LatencyServer",
            daemon=True,
        )
        self._thread.start()
        LatencyServer._running.add(self)

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(hang_bound("short"))
        self._server = self._thread = None
        LatencyServer._running.discard(self)

    def __enter__(self) -> LatencyServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_MOVED = {"RedisServer", "RedisUnavailable"}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        import warnings

        home = "pytest_concurrency.spec_support.redis"
        warnings.warn(
            f"pytest_concurrency.servers.{name} moved to {home}.{name}; the old name goes in "
            "the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        # By name, as the package's lazy imports do: the specs' support imports this module.
        return getattr(importlib.import_module(home), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
