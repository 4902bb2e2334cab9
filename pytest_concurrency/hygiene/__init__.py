"""What a test leaves behind: threads, processes, tasks, event loops and named resources.

The plugin takes a :class:`Snapshot` before a test's setup and asks it, after the teardown,
what appeared in between and is still there:

* threads and ``multiprocessing`` child processes still alive after a grace period;
* for async tests, the tasks the test body created and left pending;
* event loops created and not closed (``asyncio.new_event_loop()`` never closed), including
  loops dropped unclosed and collected before the check;
* child processes started otherwise (``subprocess``, ``os.fork``): still running, or exited
  and never waited for (zombies). Linux only: read from ``/proc``;
* named semaphores and shared memory blocks registered with ``multiprocessing``'s resource
  tracker and not released (the objects behind "There appear to be N leaked semaphore
  objects to clean up at shutdown").

What another plugin's hook makes (an event loop made by looptime's ``pytest_pyfunc_call``
wrapper, say) is not the test's doing and not blamed on it: the run's summary names it once per
hook (:func:`made_by_other_hooks`). A hook is told from the test's own code by who
called it: pytest calls test functions and fixtures, pluggy calls hook implementations (a
conftest's hooks included).

What a fixture of a broader scope (class, module, package, session) starts during its setup
belongs to that fixture and is not blamed on the test (:func:`long_lived`); a pool kept
across tests registers its workers with :func:`keep_alive`. ``--leak-check=warn`` (the
default) reports a finding as a warning of the test; ``fail`` turns it into an error of the
test (this repository's own configuration); ``off`` skips the check.

How each kind is seen, cheaply enough to run around every test: threads and processes by
``threading.enumerate()`` and ``multiprocessing.active_children()``; event loops by a weak
registry filled by ``BaseEventLoop.__init__`` (and ``uvloop.Loop.__init__`` once uvloop is
imported), which :mod:`.registries` wraps; named resources by wrapping the resource tracker's
``register``/``unregister``; other children, when the test made a spawning call (an audit
hook counts ``os.fork``, ``subprocess.Popen``, ``os.posix_spawn``...), by the pids allocated
since the snapshot (``/proc/loadavg`` names the last one) whose parent is this process.

One module per part: :mod:`.snapshot` (before and after a test), :mod:`.registries` (where
things were made; loops, named resources, spawning calls, what is kept alive),
:mod:`.children` (``/proc``), :mod:`.tasks` and :mod:`.survivors` (what was left, and the
message that names it).
"""

from .children import children_check_available
from .registries import keep_alive, set_watching
from .snapshot import Snapshot, long_lived
from .survivors import Survivor, describe, join_all
from .tasks import pending_tasks, still_pending, task_survivors

__all__ = [
    "LEAK_CHECK_MODES",
    "OTHER_HOOKS_PROPERTY",
    "Snapshot",
    "Survivor",
    "children_check_available",
    "describe",
    "join_all",
    "keep_alive",
    "long_lived",
    "made_by_other_hooks",
    "pending_tasks",
    "set_watching",
    "still_pending",
    "task_survivors",
]

LEAK_CHECK_MODES = ("fail", "warn", "off")


#: The user-property key under which a test's report carries what other plugins' hooks made
#: during it (so that, under xdist, the controller hears of it too).
OTHER_HOOKS_PROPERTY = "pytest_concurrency.made_by_other_hooks"


def made_by_other_hooks(snapshot: Snapshot) -> dict[str, str]:
    """What another plugin's hooks made during a test and left open: ``{hook: what}``, one
    line per hook (``the hook pytest_pyfunc_call of looptime._internal.plugin`` -> ``event loop
    (not closed, created at ...)``). Not the test's doing, so not among its survivors: the
    plugin names each hook once, in the run's summary, and never warns or fails a test for it
    (a warning would fail the tests of a suite that turns warnings into errors)."""
    found: dict[str, str] = {}
    for survivor, hook in snapshot.made_by_other_hooks:
        where = f" ({survivor.detail})" if survivor.detail else ""
        found.setdefault(hook, f"{survivor.what}{where}")
    return found
