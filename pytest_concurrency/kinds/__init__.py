"""Third-party executor kinds, each a small pytest plugin of its own.

Each module registers its kind through the plugin's own ``pytest_concurrency_executor_kinds``
hook, exactly as an outside project would (the plugin lists them in ``pytest_plugins``), and
marks it ``default=False``: a plain ``executor`` test does not run on it unless the run or the
test names it (``--executor-kinds=loky``, the ``executor_kinds`` marker).

==========  ===============================================================================
loky        a fresh ``loky.ProcessPoolExecutor`` per pool (:mod:`.loky`)
dask        ``Client(...).get_executor()`` on a session's ``distributed.LocalCluster``, or on
            the scheduler ``--dask-scheduler`` names (:mod:`.dask`)
==========  ===============================================================================

:func:`close_sessions` closes what these kinds keep for a whole session.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PLUGINS", "close_sessions"]

#: The modules the plugin registers as pytest plugins (``pytest_plugins`` of the plugin).
PLUGINS = ("pytest_concurrency.kinds.loky", "pytest_concurrency.kinds.dask")


def close_sessions(bound: float = 30.0) -> list[Any]:
    """Close what third-party kinds keep for a session (the dask cluster); returns the
    cluster's processes still alive after ``bound`` seconds."""
    from .dask import close_session

    return close_session(bound)
