"""Child processes started otherwise than by ``multiprocessing`` (``subprocess``, ``os.fork``),
read from ``/proc`` (Linux)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from collections.abc import Iterable

from .survivors import Survivor


def _last_pid() -> int | None:
    """The last process id the kernel allocated (in this pid namespace), or None off Linux."""
    try:
        with open("/proc/loadavg", "rb") as loadavg:
            return int(loadavg.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def children_check_available() -> bool:
    """Whether children started with ``subprocess`` or ``os.fork`` can be seen here (Linux)."""
    return _last_pid() is not None and os.path.exists(f"/proc/{os.getpid()}/stat")


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state letter, command name) of ``pid``, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read().decode(errors="replace")
    except OSError:
        return None
    name_end = text.rfind(")")
    fields = text[name_end + 2 :].split()
    return int(fields[1]), fields[0], text[text.find("(") + 1 : name_end]


def _children_since(low: int | None, high: int | None) -> dict[int, str]:
    """This process's children with pids allocated after ``low`` up to ``high``: pid to state."""
    if low is None or high is None or low == high:
        return {}
    me = os.getpid()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        # Pids grow, then wrap around to small numbers.
        new = low < pid <= high if low < high else (pid > low or pid <= high)
        stat = _stat(pid) if new else None
        if stat is not None and stat[0] == me:
            found[pid] = stat[1]
    return found


# Helpers multiprocessing (and loky, joblib's copy of it) start once and keep for the process.
_TRACKERS = ("multiprocessing", "loky.backend", "joblib.externals.loky.backend")


def _infrastructure_pids() -> set[int]:
    """multiprocessing's (and loky's) own helpers: the resource trackers and the forkserver."""
    pids = set()
    for package in _TRACKERS:
        tracker = sys.modules.get(f"{package}.resource_tracker")
        pids.add(getattr(getattr(tracker, "_resource_tracker", None), "_pid", None))
    forkserver = sys.modules.get("multiprocessing.forkserver")
    pids.add(getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None))
    return {pid for pid in pids if isinstance(pid, int)}


def _command(pid: int, fallback: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().rstrip(b"\0").split(b"\0")
    except OSError:
        return fallback
    command = " ".join(w.decode(errors="replace") for w in words if w)
    return (command[:77] + "...") if len(command) > 80 else (command or fallback)


def _wait_exited(pids: Iterable[int], deadline: float) -> None:
    """Wait (without reaping) until every pid has exited or ``deadline`` passes."""
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # no pidfd here: poll the state instead
            while time.monotonic() < deadline and (_stat(pid) or (0, "Z", ""))[1] != "Z":
                time.sleep(0.005)
            continue
        try:
            select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(fd)


def _child_survivors(pids: dict[int, str], grace: float) -> list[Survivor]:
    """Report the children: those still running after ``grace`` are terminated."""
    _wait_exited([p for p, state in pids.items() if state != "Z"], time.monotonic() + grace)
    survivors = []
    for pid in sorted(pids):
        stat = _stat(pid)
        if stat is None or stat[0] != os.getpid():
            continue  # waited for in the meantime
        name = _command(pid, stat[2])
        if stat[1] == "Z":
            detail = f"pid {pid}, exited but never waited for: call wait() on its Popen"
        else:
            _stop(pid)
            detail = f"pid {pid}, still running: terminated; wait() for it or kill() it"
        survivors.append(Survivor("child process", name, detail=detail))
    return survivors


def _stop(pid: int) -> None:
    # The pid is our unreaped child: it cannot have been reused by another process.
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)
        _wait_exited([pid], time.monotonic() + 1.0)
        if (_stat(pid) or (0, "Z", ""))[1] != "Z":
            os.kill(pid, signal.SIGKILL)
