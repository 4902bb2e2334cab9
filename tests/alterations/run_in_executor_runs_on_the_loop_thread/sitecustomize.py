"""loop.run_in_executor (asyncio's own loops) runs the call at once on the loop's thread and
returns a finished future: the loop is blocked while the call runs."""

import asyncio
import asyncio.base_events

CLAIMS = ("AIO-7", "LOOP-3", "EXE-1", "EXE-2", "EXE-3", "CTX-6", "EX-9", "EX-13")
SPECS = (
    "specs/async_with/test_contextlib.py::test_a_blocking_call_sent_to_run_in_executor_lets_other_tasks_run_while_entering",
    "specs/event_loop/test_run_in_executor.py::test_a_blocking_call_in_the_executor_runs_in_another_thread_while_tasks_go_on",
    "specs/run_in_executor/test_run_in_executor.py::test_any_executor_passed_explicitly_is_used_even_a_home_made_one",
    "specs/run_in_executor/test_run_in_executor.py::test_blocking_downloads_in_the_executor_are_all_in_flight_at_once",
    "specs/run_in_executor/test_run_in_executor.py::test_executor_none_runs_the_call_in_the_standard_loops_own_thread_pool",
    "specs/run_in_executor/test_run_in_executor.py::test_set_default_executor_with_a_thread_pool_changes_what_none_means",
    "specs/run_in_executor/test_run_in_executor.py::test_the_debug_loop_and_uvloop_refuse_a_coroutine_function",
    "specs/worked_examples/test_ex09_downloads_in_executor.py::test_the_downloads_wait_on_the_server_together_and_gather_keeps_their_order",
    "specs/worked_examples/test_ex13_web_page.py::test_with_coroutines_two_pages_download_at_the_same_time",
    "specs/worked_examples/test_ex13_web_page.py::test_with_run_in_executor_the_blocking_calls_overlap_too",
)


def _run_in_executor(self, executor, func, *args):
    future = self.create_future()
    try:
        future.set_result(func(*args))
    except BaseException as error:
        future.set_exception(error)
    return future


asyncio.base_events.BaseEventLoop.run_in_executor = _run_in_executor
