"""await asyncio.sleep(0) returns at once without letting other tasks run."""

import asyncio

CLAIMS = (
    "BAS-13",
    "AIO-1",
    "AIO-4",
    "AIO-6",
    "AIO-12",
    "AIO-13",
    "AIO-14",
    "AIO-22",
    "AIO-23",
    "AIO-25",
    "LOOP-1",
    "LOOP-7",
    "FUT-1",
    "FUT-3",
    "EX-10",
    "EX-13",
    "EX-16",
)
SPECS = (
    "specs/asyncio_basics/test_await.py::test_awaiting_a_coroutine_that_never_suspends_lets_no_other_task_run",
    "specs/asyncio_basics/test_coroutines.py::test_async_and_await_let_two_coroutines_run_concurrently_in_one_thread",
    "specs/asyncio_basics/test_create_task.py::test_a_new_task_first_runs_when_its_creator_suspends",
    "specs/asyncio_basics/test_create_task.py::test_an_eager_task_runs_inside_create_task_until_it_first_suspends",
    "specs/asyncio_basics/test_create_task.py::test_tasks_that_suspend_often_interleave_round_robin",
    "specs/asyncio_basics/test_gather.py::test_gather_starts_its_children_in_argument_order_once_the_caller_suspends",
    "specs/asyncio_basics/test_gather.py::test_with_eager_tasks_gather_runs_each_child_to_its_first_suspension_in_order",
    "specs/asyncio_basics/test_shared_state.py::test_an_await_between_read_and_write_loses_updates",
    "specs/asyncio_basics/test_sleep.py::test_sleep_zero_lets_every_other_ready_task_take_one_step",
    "specs/event_loop/test_tasks_on_one_loop.py::test_tasks_suspended_in_nested_calls_keep_their_own_stacks_and_run_one_at_a_time",
    "specs/foundations/test_locks_in_asyncio.py::test_an_await_between_read_and_write_lets_another_task_in_and_loses_an_update",
    "specs/futures_and_tasks/test_future.py::test_done_callbacks_run_on_the_loop_after_the_result_is_set_not_inside_set_result",
    "specs/futures_and_tasks/test_task.py::test_cancelling_a_task_raises_cancelled_error_inside_its_coroutine",
    "specs/worked_examples/test_ex10_round_robin.py::test_the_counters_say_only_their_numbers_and_count_up_to_ninety_nine",
    "specs/worked_examples/test_ex10_round_robin.py::test_the_counters_take_turns_once_the_main_coroutine_waits",
    "specs/worked_examples/test_ex10_round_robin.py::test_with_eager_tasks_each_counter_says_its_first_number_inside_create_task",
    "specs/worked_examples/test_ex13_web_page.py::test_the_blocking_manager_inside_a_coroutine_stops_the_loop",
)

_original_sleep = asyncio.sleep


async def _sleep(delay, result=None):
    if delay <= 0:
        return result
    return await _original_sleep(delay, result)


asyncio.sleep = asyncio.tasks.sleep = _sleep
