"""asyncio.sleep(delay) returns after a single step of the loop, whatever the delay: no task
ever waits for a timer."""

import asyncio

CLAIMS = (
    "AIO-3",
    "AIO-4",
    "AIO-5",
    "AIO-12",
    "AIO-16",
    "AIO-18",
    "AIO-19",
    "AIO-21",
    "AIO-22",
    "AIO-23",
    "AIO-26",
    "CTX-2",
    "ITER-2",
    "EX-6",
    "EX-7",
    "EX-8",
    "EX-11",
)
SPECS = (
    "specs/async_for/test_async_iterators.py::test_while_anext_waits_for_the_next_row_the_loop_runs_other_tasks",
    "specs/async_with/test_async_context_managers.py::test_while_entering_and_exiting_wait_the_loop_runs_other_tasks",
    "specs/asyncio_basics/test_as_completed.py::test_after_the_timeout_the_next_result_raises_timeout_error",
    "specs/asyncio_basics/test_as_completed.py::test_as_completed_hands_out_results_in_completion_order",
    "specs/asyncio_basics/test_as_completed.py::test_plain_iteration_yields_new_coroutines_that_give_the_earliest_result_first",
    "specs/asyncio_basics/test_await.py::test_while_an_awaited_coroutine_waits_other_tasks_run",
    "specs/asyncio_basics/test_await.py::test_with_no_other_task_await_simply_waits",
    "specs/asyncio_basics/test_create_task.py::test_awaiting_coroutines_one_by_one_runs_them_one_after_another",
    "specs/asyncio_basics/test_create_task.py::test_tasks_from_create_task_overlap_exactly_as_gathered_coroutines_do",
    "specs/asyncio_basics/test_create_task.py::test_the_same_coroutines_as_tasks_overlap_and_take_as_long_as_the_longest",
    "specs/asyncio_basics/test_gather.py::test_a_failing_child_fails_the_gather_at_once_while_the_others_keep_running",
    "specs/asyncio_basics/test_gather.py::test_gather_results_follow_argument_order_not_completion_order",
    "specs/asyncio_basics/test_gather.py::test_return_exceptions_puts_exceptions_in_the_results_in_argument_order",
    "specs/asyncio_basics/test_sleep.py::test_sleep_zero_costs_no_loop_time_and_sleep_d_takes_exactly_d",
    "specs/asyncio_basics/test_wait.py::test_a_timeout_returns_what_finished_by_then_without_raising_or_cancelling",
    "specs/asyncio_basics/test_wait.py::test_first_completed_returns_as_soon_as_one_task_finishes",
    "specs/asyncio_basics/test_wait.py::test_first_exception_returns_at_the_first_failure_without_raising_it",
    "specs/asyncio_basics/test_wait.py::test_wait_returns_done_and_pending_sets_of_the_tasks_passed_in",
    "specs/worked_examples/test_ex06_hello_world.py::test_the_second_greeting_comes_ten_loop_seconds_after_the_first",
    "specs/worked_examples/test_ex07_gather_web_calls.py::test_gather_sends_every_request_first_and_returns_in_argument_order",
    "specs/worked_examples/test_ex08_sequential_vs_tasks.py::test_as_tasks_they_overlap_and_the_results_still_come_in_creation_order",
    "specs/worked_examples/test_ex08_sequential_vs_tasks.py::test_awaiting_the_coroutines_one_by_one_takes_the_sum_of_their_times",
    "specs/worked_examples/test_ex11_interleaved_context_managers.py::test_two_blocks_interleave_their_slow_writing_character_by_character",
)

_original_sleep = asyncio.sleep


async def _sleep(delay, result=None):
    return await _original_sleep(0, result)


asyncio.sleep = asyncio.tasks.sleep = _sleep
