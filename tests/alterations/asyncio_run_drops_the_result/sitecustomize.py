"""asyncio.run drives the coroutine to its end but returns None instead of its result."""

import asyncio

CLAIMS = ("AIO-10", "AIO-11", "FUT-4", "FUT-5", "FUT-6")
SPECS = (
    "specs/asyncio_basics/test_coroutines.py::test_asyncio_run_drives_a_coroutine_to_the_end",
    "specs/futures_and_tasks/test_run.py::test_asyncio_run_can_be_called_again_and_again_in_sequence",
    "specs/futures_and_tasks/test_run.py::test_asyncio_run_returns_what_the_coroutine_returns",
    "specs/futures_and_tasks/test_run.py::test_each_call_makes_a_new_loop_and_closes_it_at_the_end",
    "specs/futures_and_tasks/test_run.py::test_tasks_still_pending_when_the_coroutine_ends_are_cancelled",
)

_original_run = asyncio.run


def _run(main, **kwargs):
    _original_run(main, **kwargs)


asyncio.run = asyncio.runners.run = _run
