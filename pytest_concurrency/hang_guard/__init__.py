"""The hang guard: a bound on each test phase, a bounded process exit, and reports that
survive a failure pytest cannot format.

Each test phase runs under a bound: setup and call share one (``--hang-guard``, a tier of
:data:`~pytest_concurrency.timeouts.TIERS` or seconds, times ``--hang-scale``), and teardown
has one of its own, so that a test that ran out still gets its fixtures torn down. When the
bound runs out, the phase fails with :class:`HangGuardExpired`, whose message holds the stack
of every thread (and of the running loop's tasks), so the failure report carries them, which
matters under pytest-xdist, where a worker's terminal output is lost. The run goes on.

**Under a debugger the guard stands aside.** pytest's own (``--pdb``, ``--trace``,
``breakpoint()``), any ``bdb``-based one, pydevd (VS Code, PyCharm), or a tool holding
``sys.monitoring.DEBUGGER_ID`` (3.12+): a debugging session takes as long as it takes. Any
other trace function, coverage's included, leaves the guard on (:mod:`.debugger`).

Why not pytest-timeout: its ``thread`` method ends the whole run with ``os._exit(1)``; its
``signal`` method writes the stacks to the terminal (lost in xdist workers) and fails the test
with a bare "Timeout" message. Where a pytest-timeout timeout applies to a test (its marker,
``--timeout``, ``PYTEST_TIMEOUT`` or the ``timeout`` ini value, above 0), the hang guard steps
aside for that test, so the two never compete for ``SIGALRM``.

One module a job:

=================  ===========================================================================
``bounds``         what bound a phase has: ``--hang-guard``, the marker, pytest-timeout's say
``debugger``       whether a debugger drives the test's thread (then the guard stands aside)
``stacks``         the text of every thread's stack and every task's coroutine chain
``alarm``          the ``SIGALRM`` timer that raises :class:`HangGuardExpired` in the test
``backstop``       ``faulthandler``'s watchdog, for a thread that never returns to Python
``budget``         the hang budget's bookkeeping: what counts as a bound that ran out
``exit_watchdog``  the bounded exit after the last test
``fallback``       a plugin of its own: a plain report when pytest cannot make one
``plugin``         :class:`HangGuardPlugin`, the hooks in the order pytest calls them
=================  ===========================================================================
"""

from __future__ import annotations

from .alarm import HangGuardExpired, the_alarm
from .bounds import OFF, marker_bound, parse_bound
from .budget import parse_budget
from .debugger import is_debugging
from .exit_watchdog import EXIT_BOUND
from .fallback import FallbackReportPlugin, fallback_report
from .plugin import HangGuardPlugin
from .stacks import describe_threads

__all__ = [
    "EXIT_BOUND",
    "OFF",
    "FallbackReportPlugin",
    "HangGuardExpired",
    "HangGuardPlugin",
    "describe_threads",
    "fallback_report",
    "is_debugging",
    "marker_bound",
    "parse_bound",
    "parse_budget",
    "the_alarm",
]
