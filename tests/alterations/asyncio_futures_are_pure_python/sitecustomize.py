"""asyncio.Future is the pure-Python future, and a future's result() on a pending future
returns None instead of raising InvalidStateError. Tasks stay the C tasks, which are not
instances of this Future class."""

import asyncio
import asyncio.futures

CLAIMS = ("AIO-15", "FUT-1", "FUT-2", "EX-7")
SPECS = (
    "specs/asyncio_basics/test_gather.py::test_gather_returns_one_future_that_can_be_awaited",
    "specs/futures_and_tasks/test_future.py::test_result_of_an_unfinished_asyncio_future_raises_instead_of_waiting",
    "specs/futures_and_tasks/test_task.py::test_a_task_is_a_future",
    "specs/worked_examples/test_ex07_gather_web_calls.py::test_what_gather_returns_is_a_future_not_a_task",
)

_PyFuture = asyncio.futures._PyFuture
_original_result = _PyFuture.result


def _result(self):
    if not self.done():
        return None
    return _original_result(self)


_PyFuture.result = _result
asyncio.Future = asyncio.futures.Future = _PyFuture
