"""inspect's kind checks (iscoroutinefunction, iscoroutine, isawaitable, isasyncgenfunction,
isasyncgen, isgeneratorfunction, getcoroutinestate) answer wrongly when the specs' own code
asks; pytest, pytest-asyncio and the standard library get the true answers."""

import inspect
import sys

CLAIMS = (
    "AIO-7",
    "AIO-8",
    "AIO-9",
    "AIO-20",
    "LOOP-3",
    "EXE-1",
    "EXE-2",
    "EXE-3",
    "CTX-5",
    "CTX-6",
    "ITER-5",
    "ITER-6",
    "EX-9",
    "EX-13",
)
SPECS = (
    "specs/async_for/test_async_generators.py::test_an_async_def_with_yield_is_an_async_generator_walked_by_async_for",
    "specs/async_for/test_async_generators.py::test_coroutine_generator_and_async_generator_functions_are_three_kinds",
    "specs/async_with/test_contextlib.py::test_a_blocking_call_sent_to_run_in_executor_lets_other_tasks_run_while_entering",
    "specs/async_with/test_contextlib.py::test_inspect_tells_async_generator_functions_and_objects_apart",
    "specs/async_with/test_contextlib.py::test_the_decorated_function_is_a_plain_function_wrapping_the_async_generator",
    "specs/asyncio_basics/test_awaitables.py::test_an_object_without_await_cannot_be_awaited",
    "specs/asyncio_basics/test_awaitables.py::test_coroutines_tasks_futures_and_await_objects_are_all_awaitable",
    "specs/asyncio_basics/test_coroutines.py::test_async_def_defines_a_coroutine_function",
    "specs/asyncio_basics/test_coroutines.py::test_calling_a_coroutine_function_returns_a_coroutine_without_running_its_body",
    "specs/event_loop/test_run_in_executor.py::test_a_blocking_call_in_the_executor_runs_in_another_thread_while_tasks_go_on",
    "specs/run_in_executor/test_run_in_executor.py::test_any_executor_passed_explicitly_is_used_even_a_home_made_one",
    "specs/run_in_executor/test_run_in_executor.py::test_arguments_after_func_are_passed_positionally_in_order",
    "specs/run_in_executor/test_run_in_executor.py::test_blocking_downloads_in_the_executor_are_all_in_flight_at_once",
    "specs/run_in_executor/test_run_in_executor.py::test_executor_none_runs_the_call_in_uvloops_own_thread_pool",
    "specs/run_in_executor/test_run_in_executor.py::test_keyword_arguments_are_a_type_error_and_functools_partial_carries_them",
    "specs/run_in_executor/test_run_in_executor.py::test_set_default_executor_with_a_thread_pool_changes_what_none_means",
    "specs/run_in_executor/test_run_in_executor.py::test_the_debug_loop_and_uvloop_refuse_a_coroutine_function",
    "specs/run_in_executor/test_run_in_executor.py::test_the_standard_loop_calls_a_coroutine_function_and_returns_an_unrun_coroutine",
    "specs/run_in_executor/test_run_in_executor.py::test_uvloop_takes_any_default_executor_without_a_warning",
    "specs/worked_examples/test_ex09_downloads_in_executor.py::test_the_downloads_wait_on_the_server_together_and_gather_keeps_their_order",
    "specs/worked_examples/test_ex13_web_page.py::test_with_run_in_executor_the_blocking_calls_overlap_too",
)

_LIARS = (
    "iscoroutinefunction",
    "iscoroutine",
    "isawaitable",
    "isasyncgenfunction",
    "isasyncgen",
    "isgeneratorfunction",
)


def _from_specs():
    return "/specs/" in sys._getframe(2).f_code.co_filename.replace("\\", "/")


def _lying(name):
    truth = getattr(inspect, name)

    def check(obj):
        answer = truth(obj)
        return (not answer) if _from_specs() else answer

    return check


for _name in _LIARS:
    setattr(inspect, _name, _lying(_name))

_original_state = inspect.getcoroutinestate


def _getcoroutinestate(coroutine):
    state = _original_state(coroutine)
    if _from_specs() and state == inspect.CORO_CREATED:
        return inspect.CORO_SUSPENDED
    return state


inspect.getcoroutinestate = _getcoroutinestate
