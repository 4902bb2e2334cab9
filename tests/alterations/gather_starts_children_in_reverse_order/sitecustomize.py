"""asyncio.gather schedules its children last argument first (its results still follow the
argument order)."""

import asyncio

CLAIMS = ("BAS-13", "AIO-1", "AIO-6", "AIO-14", "AIO-25", "LOOP-7", "CTX-6", "EX-7", "EX-11")
SPECS = (
    "specs/async_with/test_contextlib.py::test_a_blocking_call_sent_to_run_in_executor_lets_other_tasks_run_while_entering",
    "specs/asyncio_basics/test_coroutines.py::test_async_and_await_let_two_coroutines_run_concurrently_in_one_thread",
    "specs/asyncio_basics/test_gather.py::test_gather_starts_any_number_of_children_in_argument_order",
    "specs/asyncio_basics/test_gather.py::test_gather_starts_its_children_in_argument_order_once_the_caller_suspends",
    "specs/asyncio_basics/test_gather.py::test_with_eager_tasks_gather_runs_each_child_to_its_first_suspension_in_order",
    "specs/asyncio_basics/test_shared_state.py::test_an_await_between_read_and_write_loses_updates",
    "specs/foundations/test_locks_in_asyncio.py::test_a_read_modify_write_with_no_await_inside_is_never_interleaved",
    "specs/foundations/test_locks_in_asyncio.py::test_an_asyncio_lock_keeps_a_read_modify_write_with_an_await_whole",
    "specs/foundations/test_locks_in_asyncio.py::test_an_await_between_read_and_write_lets_another_task_in_and_loses_an_update",
    "specs/worked_examples/test_ex07_gather_web_calls.py::test_gather_sends_every_request_first_and_returns_in_argument_order",
    "specs/worked_examples/test_ex11_interleaved_context_managers.py::test_two_blocks_interleave_their_slow_writing_character_by_character",
)

_original_gather = asyncio.gather


def _gather(*aws, return_exceptions=False):
    children = [None] * len(aws)
    for index in reversed(range(len(aws))):
        children[index] = asyncio.ensure_future(aws[index])
    return _original_gather(*children, return_exceptions=return_exceptions)


asyncio.gather = asyncio.tasks.gather = _gather
