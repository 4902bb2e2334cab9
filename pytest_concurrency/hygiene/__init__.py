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
wrapper, say) is not the test's doing and not blamed on it: the check says so once per hook,
with an :class:`OtherPluginResourceWarning`. A hook is told from the test's own code by who
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
from .registries import keep_alive
from .snapshot import Snapshot, long_lived
from .survivors import Survivor, describe, join_all
from .tasks import pending_tasks, still_pending, task_survivors

__all__ = [
    "LEAK_CHECK_MODES",
    "OtherPluginResourceWarning",
    "Snapshot",
    "Survivor",
    "children_check_available",
    "describe",
    "join_all",
    "keep_alive",
    "long_lived",
    "pending_tasks",
    "still_pending",
    "task_survivors",
]

LEAK_CHECK_MODES = ("fail", "warn", "off")


class OtherPluginResourceWarning(UserWarning):
    """Another plugin's hook made something and left it open during a test; the leak check
    does not count it against the test. Silence it with
    ``-W "ignore::pytest_concurrency.hygiene.OtherPluginResourceWarning"``."""


def other_hooks_news(snapshot: Snapshot, told: set[str]) -> list[OtherPluginResourceWarning]:
    """One warning per hook of another plugin that made something a test's check found, the
    first time that hook is found in this session (``told``: the hooks already named)."""
    news = []
    for survivor, hook in snapshot.made_by_other_hooks:
        if hook in told:
            continue
        told.add(hook)
        where = f" ({survivor.detail})" if survivor.detail else ""
        news.append(
            OtherPluginResourceWarning(
                f"{survivor.what}{where} was made by {hook}, not by a test or its fixtures: "
                "the leak check does not count it. Said once per hook; to silence it: "
                '-W "ignore::pytest_concurrency.hygiene.OtherPluginResourceWarning"'
            )
        )
    return news
