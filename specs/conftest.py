"""Settings and fixtures for the specs only (the plugin itself needs none of this)."""

from collections.abc import Iterator

import pytest
from hypothesis import settings

from pytest_concurrency.spec_support.redis import RedisServer, RedisUnavailable

# Property-based specs are examples of a claim, not a search for rare bugs: derandomized, so a
# run is repeatable, and without a per-example deadline, since a loaded machine is slow.
settings.register_profile("specs", derandomize=True, deadline=None, max_examples=50)
settings.load_profile("specs")


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A real ``redis-server`` on a free loopback port (``.host``, ``.port``, ``.url``),
    empty and without persistence, for the Redis example (EX-12); skips the spec, saying why,
    where none can be started. Stopped at teardown.
    """
    server = RedisServer()
    try:
        server.start()
    except RedisUnavailable as why:
        pytest.skip(str(why))
    try:
        yield server
    finally:
        server.stop()
