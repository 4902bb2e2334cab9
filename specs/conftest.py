"""Settings for the specs only (the plugin itself needs none of this)."""

import pytest
from hypothesis import settings

from pytest_concurrency import Gate, LatencyServer

# Property-based specs are examples of a claim, not a search for rare bugs: derandomized, so a
# run is repeatable, and without a per-example deadline, since a loaded machine is slow.
settings.register_profile("specs", derandomize=True, deadline=None, max_examples=50)
settings.load_profile("specs")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Open every Gate a spec left closed, and release every loopback server it left holding,
    before its fixtures (the pools) are torn down: a spec that fails midway lets go of the
    workers it held, so they end and the run moves on."""
    Gate.open_all()
    LatencyServer.release_all()
