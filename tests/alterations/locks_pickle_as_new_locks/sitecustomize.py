"""multiprocessing pickles a threading lock as "a new lock" (as it pickles its own locks for
a child it starts): a lock passed to or returned from a process pool arrives as a fresh lock
instead of failing to pickle."""

import _thread
import threading
from multiprocessing.reduction import ForkingPickler

CLAIMS = ("BAS-7",)
SPECS = ("specs/foundations/test_pickling.py",)
ARGS = ("--start-methods=fork",)

ForkingPickler.register(_thread.LockType, lambda lock: (threading.Lock, ()))
