"""A ThreadPoolExecutor made without max_workers has a single thread, so the event loop's
default executor (asyncio's and uvloop's) runs one blocking call at a time: downloads handed
to run_in_executor(None, ...) queue instead of waiting on the server together."""

import concurrent.futures

CLAIMS = ("EXE-1", "EX-9")
SPECS = (
    "specs/run_in_executor/test_run_in_executor.py::test_blocking_downloads_in_the_executor_are_all_in_flight_at_once",
    "specs/worked_examples/test_ex09_downloads_in_executor.py::test_the_downloads_wait_on_the_server_together_and_gather_keeps_their_order",
)

_original_init = concurrent.futures.ThreadPoolExecutor.__init__


def _init(self, max_workers=None, *args, **kwargs):
    _original_init(self, 1 if max_workers is None else max_workers, *args, **kwargs)


concurrent.futures.ThreadPoolExecutor.__init__ = _init
