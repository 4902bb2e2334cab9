"""The local servers: a loopback HTTP server with latency and holds, and a real Redis."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pytest_concurrency import LatencyServer, wait_until
from pytest_concurrency.servers import free_port
from pytest_concurrency.spec_support.redis import RedisServer, RedisUnavailable
from pytest_concurrency.spec_support.workloads import download, md5_name


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        body: bytes = response.read()
        return body


# --- http_server -----------------------------------------------------------------------------


def test_the_server_answers_every_path_with_a_known_body(http_server: LatencyServer) -> None:
    """GET <path> answers b"body of <path>\\n" and is recorded."""
    assert fetch(http_server.url("/a")) == b"body of /a\n"
    assert fetch(http_server.url("/b/c")) == b"body of /b/c\n"
    assert http_server.requests == ["/a", "/b/c"]
    assert http_server.in_flight == 0


def test_the_url_carries_a_query(http_server: LatencyServer) -> None:
    """url(path, **query) builds a loopback URL with the query encoded."""
    url = http_server.url("/x", latency=0.01)
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/x?latency=0.01")


def test_a_request_takes_at_least_the_servers_latency(http_server: LatencyServer) -> None:
    """Setting .latency delays every answer by that long, at least."""
    http_server.latency = 0.05
    started = time.monotonic()
    assert fetch(http_server.url("/slow")) == b"body of /slow\n"
    assert time.monotonic() - started >= 0.05


def test_a_query_latency_delays_one_request(http_server: LatencyServer) -> None:
    """?latency=S delays that request only, at least by S."""
    started = time.monotonic()
    fetch(http_server.url("/one", latency=0.05))
    assert time.monotonic() - started >= 0.05
    assert http_server.latency == 0.0


def test_held_requests_are_all_in_flight_until_released(http_server: LatencyServer) -> None:
    """hold() keeps arrived requests waiting, so overlap shows in in_flight; release() answers."""
    http_server.hold()
    bodies: dict[str, bytes] = {}
    paths = ["/1", "/2", "/3"]
    threads = [
        threading.Thread(target=lambda p=p: bodies.update({p: fetch(http_server.url(p))}))
        for p in paths
    ]
    for thread in threads:
        thread.start()
    wait_until(lambda: http_server.in_flight == 3, what="three requests in flight")
    assert bodies == {}
    http_server.release()
    for thread in threads:
        thread.join()
    assert bodies == {p: f"body of {p}\n".encode() for p in paths}
    assert http_server.max_in_flight == 3
    assert http_server.in_flight == 0
    assert sorted(http_server.requests) == paths


def test_a_held_request_never_released_is_answered_503_within_the_bound(
    http_server: LatencyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hold nobody releases ends at the medium hang bound: the client gets 503, not a hang."""
    monkeypatch.setattr("pytest_concurrency.servers.hang_bound", lambda tier="short": 0.05)
    http_server.hold()
    with pytest.raises(urllib.error.HTTPError, match="503: held too long"):
        fetch(http_server.url("/forgotten"))
    assert http_server.in_flight == 0


def test_stopping_the_server_releases_held_requests() -> None:
    """stop() answers every held request, so their threads end and stop() returns."""
    server = LatencyServer()
    bodies: list[bytes] = []
    with server:
        server.hold()
        client = threading.Thread(target=lambda: bodies.append(fetch(server.url("/held"))))
        client.start()
        wait_until(lambda: server.in_flight == 1, what="the request held")
    client.join(5)
    assert bodies == [b"body of /held\n"]


def test_release_all_releases_every_server_that_holds() -> None:
    """What the specs' teardown calls: held servers are released, the count says how many."""
    with LatencyServer() as held, LatencyServer() as free:
        LatencyServer.release_all()  # servers other tests may have left holding
        held.hold()
        assert LatencyServer.release_all() == 1
        assert fetch(held.url("/after")) == b"body of /after\n"
        assert fetch(free.url("/free")) == b"body of /free\n"
        assert LatencyServer.release_all() == 0


def test_a_client_that_never_sends_cannot_keep_the_server_from_stopping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A connection left silent times out at the hang bound, so stop() (which joins every
    request thread) returns."""
    monkeypatch.setattr("pytest_concurrency.servers.hang_bound", lambda tier="short": 0.05)
    server = LatencyServer()
    with server:
        host, port = server.url("/").split("/")[2].split(":")
        before = threading.active_count()
        silent = socket.create_connection((host, int(port)), timeout=5)
        wait_until(lambda: threading.active_count() > before, what="the request thread started")
    silent.close()
    assert not [t for t in threading.enumerate() if t.name == "LatencyServer"]


def test_downloads_in_a_thread_pool_overlap(
    http_server: LatencyServer, thread_executor, tmp_path
) -> None:
    """The download workload writes each body under the MD5 of its URL."""
    http_server.hold()
    urls = [http_server.url(f"/file{i}") for i in range(4)]
    futures = [thread_executor.submit(download, url, str(tmp_path)) for url in urls]
    wait_until(lambda: http_server.in_flight == 4, what="four downloads in flight")
    http_server.release()
    paths = [future.result() for future in futures]
    assert paths == [str(tmp_path / md5_name(url)) for url in urls]
    assert (tmp_path / md5_name(urls[2])).read_bytes() == b"body of /file2\n"


def test_the_server_stops_cleanly_and_cannot_be_used_unstarted() -> None:
    """Used directly, the server needs starting; stopping leaves no thread behind."""
    server = LatencyServer()
    with pytest.raises(RuntimeError, match="the server is not running"):
        server.url("/")
    with server:
        assert fetch(server.url("/")) == b"body of /\n"
    assert not [t for t in threading.enumerate() if t.name == "LatencyServer"]


def test_the_http_server_fixture_is_stopped_after_the_test(pytester: pytest.Pytester) -> None:
    """Through pytest, nothing of the server outlives the test (the leak check passes)."""
    pytester.makepyfile(
        """
        import urllib.request

        def test_x(http_server):
            http_server.hold()
            http_server.release()
            assert urllib.request.urlopen(http_server.url("/z")).read() == b"body of /z\\n"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_free_port_gives_a_port_nothing_listens_on() -> None:
    """Connecting to a free port is refused."""
    port = free_port()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


# --- redis_server ----------------------------------------------------------------------------

needs_redis = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)


# The fixture is the specs' (specs/conftest.py): these tests run it as the specs do.
SPECS_CONFTEST = Path(__file__).parents[1] / "specs" / "conftest.py"


@needs_redis
@pytest.mark.library("redis", ">=5")
def test_the_specs_redis_server_fixture_is_a_real_empty_redis(pytester: pytest.Pytester) -> None:
    """With redis-server installed, the specs' fixture gives a running, empty server."""
    pytester.makeconftest(SPECS_CONFTEST.read_text("utf-8"))
    pytester.makepyfile(
        """
        import redis

        def test_x(redis_server):
            client = redis.Redis.from_url(redis_server.url)
            try:
                assert client.ping() is True
                assert client.dbsize() == 0
                client.set("key", "value")
                assert client.get("key") == b"value"
            finally:
                client.close()
            assert redis_server.host == "127.0.0.1"
            assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


@needs_redis
def test_the_redis_server_is_gone_after_stop() -> None:
    """stop() ends the server: its port refuses connections."""
    with RedisServer() as server:
        socket.create_connection((server.host, server.port), timeout=5).close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=5).close()


def test_without_redis_server_the_specs_fixture_skips_saying_why(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """With no redis-server on PATH, a spec using redis_server is skipped with the reason."""
    monkeypatch.setenv("PATH", str(tmp_path))
    pytester.makeconftest(SPECS_CONFTEST.read_text("utf-8"))
    pytester.makepyfile(
        """
        def test_x(redis_server):
            raise AssertionError("must not run")
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED*redis-server is not installed (Debian: apt-get install redis-server)"]
    )


def test_without_redis_server_starting_raises_redis_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """Outside pytest, start() raises RedisUnavailable with the same reason."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RedisUnavailable, match="redis-server is not installed"):
        RedisServer().start()
