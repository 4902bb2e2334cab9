"""threading.Lock() made by the specs' own code excludes nothing: acquire() always succeeds
at once. (Locks made by the standard library and the plugin are left alone, so the pools and
queues the specs rely on keep working.)"""

import sys
import threading

CLAIMS = ("BAS-4",)
SPECS = (
    "specs/foundations/test_shared_state.py::test_a_lock_makes_the_second_thread_wait_until_the_first_has_written",
)

_original_lock = threading.Lock


class _OpenLock:
    """Looks like a lock; never makes anyone wait."""

    def acquire(self, blocking=True, timeout=-1):
        return True

    def release(self):
        pass

    def locked(self):
        return False

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()


def _lock():
    caller = sys._getframe(1).f_code.co_filename.replace("\\", "/")
    return _OpenLock() if "/specs/" in caller else _original_lock()


threading.Lock = _lock
