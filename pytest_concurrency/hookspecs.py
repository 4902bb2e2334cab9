"""Hooks a plugin or ``conftest.py`` implements to add executor kinds and loop flavours.

Both are called once, at configure time, before ``--executor-kinds`` and ``--loop-flavours``
are read; every implementation's names are added (a name defined twice is a usage error).
Only the ``conftest.py`` files pytest loads before configuring (the root one, and those of the
paths on the command line) are asked.

.. code-block:: python

    # conftest.py
    import concurrent.futures

    def pytest_concurrency_executor_kinds(config):
        def my_pool(max_workers=None, *, initializer=None, initargs=(), **options):
            return MyExecutor(max_workers, initializer=initializer, initargs=initargs, **options)
        return {"mine": my_pool}

    def pytest_concurrency_loop_flavours(config):
        return {"myloop": my_loop_module.new_event_loop}

Then every test that asks for ``executor`` runs on ``MyExecutor`` too: a registered kind joins
the default selection, unless it is an :class:`~pytest_concurrency.executors.ExecutorKind` made
with ``default=False`` (opt-in, as the plugin's own ``loky`` and ``dask`` kinds, which register
through this very hook: see ``pytest_concurrency.kinds``), which runs only where
``--executor-kinds=mine`` or the ``executor_kinds`` marker names it. ``--loop-flavours=myloop``
runs every async test on the loop; ``--conformance=mine`` runs the contract specs on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .executors import ExecutorFactory, ExecutorKind

__all__ = ["pytest_concurrency_executor_kinds", "pytest_concurrency_loop_flavours"]


@pytest.hookspec
def pytest_concurrency_executor_kinds(
    config: pytest.Config,
) -> Mapping[str, ExecutorFactory | ExecutorKind] | None:
    """Executor kinds to add: ``{name: factory}``.

    ``factory(max_workers, *, initializer=None, initargs=(), **options)`` returns a new
    :class:`concurrent.futures.Executor`; the fixtures pass ``max_workers`` (``None`` for the
    default) and the pool options a test gives ``executor_factory``. Give an
    :class:`~pytest_concurrency.executors.ExecutorKind` instead to say which threads and
    processes the leak check joins after the pool is shut down (``workers``), or how to shut
    it down (``shutdown``), or to keep it out of the default selection (``default=False``).
    """


@pytest.hookspec
def pytest_concurrency_loop_flavours(
    config: pytest.Config,
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]] | None:
    """Event-loop flavours to add: ``{name: loop_factory}``, where ``loop_factory()`` returns
    a new event loop (as ``uvloop.new_event_loop`` does)."""
