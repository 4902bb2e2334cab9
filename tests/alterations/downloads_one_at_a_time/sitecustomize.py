"""urllib.request.urlopen holds a process-wide lock until the server has answered: blocking
downloads in threads (a pool, run_in_executor) queue one behind the other, without using
any CPU while they wait."""

import threading
import urllib.request

CLAIMS = ("BAS-11", "EX-1", "EX-9", "EX-13")
SPECS = (
    "specs/foundations/test_io_bound_work.py::test_threads_overlap_their_downloads",
    "specs/worked_examples/test_ex01_downloads.py::test_with_three_workers_the_three_downloads_are_in_flight_at_once",
    "specs/worked_examples/test_ex01_downloads.py::test_with_three_workers_the_pool_beats_the_sequential_loop",
    "specs/worked_examples/test_ex09_downloads_in_executor.py::test_the_downloads_wait_on_the_server_together_and_gather_keeps_their_order",
    "specs/worked_examples/test_ex13_web_page.py::test_with_run_in_executor_the_blocking_calls_overlap_too",
)

_one_at_a_time = threading.Lock()
_original_urlopen = urllib.request.urlopen


def _urlopen(*args, **kwargs):
    with _one_at_a_time:
        return _original_urlopen(*args, **kwargs)


urllib.request.urlopen = _urlopen
