"""threading.Event.set() called from outside the standard library is lost: the event stays
unset, so a gate a spec opens never lets its worker through. Every wait on it runs to its
bound; a wait without one would hang the run."""

import sys
import sysconfig
import threading

CLAIMS = ("CF-5",)
SPECS = (
    "specs/concurrent_futures/test_submit.py::test_a_thread_pool_future_is_pending_until_a_worker_thread_takes_it",
)

_STDLIB = sysconfig.get_paths()["stdlib"]
_original_set = threading.Event.set


def _set(self):
    if sys._getframe(1).f_code.co_filename.startswith(_STDLIB):
        _original_set(self)


threading.Event.set = _set
