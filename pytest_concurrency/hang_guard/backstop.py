"""The backstop: ``faulthandler.dump_traceback_later``, for a test whose thread never comes
back to Python (a C call that ignores signals), where the alarm cannot reach it.

faulthandler's watchdog is a C thread that needs no GIL, so it works when nothing else can:
with ``exit=True`` it writes every thread's stack to stderr and ends the process. Where there
is no alarm (no ``SIGALRM``, or pytest off the main thread) it is the guard's only means, and
then only writes the stacks (``exit=False``).
"""

from __future__ import annotations

import faulthandler
import os
import sys
import time

__all__ = ["Backstop", "backstop", "stderr_fd"]


class Backstop:
    """``faulthandler.dump_traceback_later``, disarmed around ``fork()``.

    A child forked while it is armed inherits faulthandler's state but not its watchdog
    thread, and hangs for ever at interpreter exit, waiting for that thread; so it is
    cancelled before a fork and armed again, for the time left, in the parent after it.

    Arming starts a watchdog thread and cancelling joins it, which costs up to a millisecond
    on a loaded machine: so the phases of one test share one arming where they can (see
    :meth:`arm`), and the guard cancels it when the test ends.
    """

    def __init__(self) -> None:
        self.armed: tuple[float, bool] | None = None  # (time.monotonic() deadline, exit)

    def arm(self, deadline: float, exit: bool, headroom: float = 0.0) -> None:
        """Fire no sooner than ``deadline`` and no later than ``headroom`` seconds after it.

        Already armed within that window, it stays as it is; otherwise it is armed for the
        end of the window, so that the next phase of the test likely fits in it too.
        """
        armed = self.armed
        if armed is not None and armed[1] == exit and deadline <= armed[0] <= deadline + headroom:
            return
        self._arm(deadline + headroom, exit)

    def _arm(self, deadline: float, exit: bool) -> None:
        self.armed = (deadline, exit)
        delay = max(deadline - time.monotonic(), 0.001)
        faulthandler.dump_traceback_later(delay, exit=exit, file=stderr_fd())

    def cancel(self) -> None:
        if self.armed is not None:
            self.armed = None
            faulthandler.cancel_dump_traceback_later()

    def before_fork(self) -> None:
        if self.armed is not None:
            faulthandler.cancel_dump_traceback_later()

    def after_fork_in_parent(self) -> None:
        if self.armed is not None:
            self._arm(*self.armed)


#: The process's one backstop (faulthandler has one watchdog per process).
backstop = Backstop()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=backstop.before_fork, after_in_parent=backstop.after_fork_in_parent)

_stderr_fd: list[int] = []


def stderr_fd() -> int:
    """A duplicate of the process's stderr, made once: pytest captures fd 2 during tests, and
    xdist replaces ``sys.stderr`` with an object that has no file descriptor."""
    if not _stderr_fd:
        try:
            fileno = sys.stderr.fileno()
        except (AttributeError, ValueError, OSError):
            fileno = -1
        if fileno < 0:  # sys.__stderr__ is None without a console (pythonw): then fd 2
            fileno = 2 if sys.__stderr__ is None else sys.__stderr__.fileno()
        _stderr_fd.append(os.dup(fileno))
    return _stderr_fd[0]
