"""Starting a thread costs about as much CPU as starting a process: Thread.start first spends
30 ms of this thread's CPU time (a fork child costs 4 ms here, a forkserver child 17 ms, a
spawned one 52 ms, on 3.12), so a process no longer costs several times a thread."""

import threading
import time

CLAIMS = ("BAS-5",)
SPECS = (
    "specs/foundations/test_start_up_cost.py::test_starting_a_process_costs_more_than_starting_a_thread",
)
# CPU burnt, not time slept: the spec counts CPU seconds, which a sleep would not add to.
CPU_SECONDS_PER_START = 0.03

_original_start = threading.Thread.start


def _start(self):
    until = time.process_time() + CPU_SECONDS_PER_START
    while time.process_time() < until:
        pass
    _original_start(self)


threading.Thread.start = _start
