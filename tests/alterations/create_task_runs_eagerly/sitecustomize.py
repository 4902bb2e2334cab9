"""asyncio.create_task runs the new task's body at once, inside create_task, as if every loop
had the eager task factory."""

import asyncio

CLAIMS = ("AIO-13", "LOOP-6", "EX-10")
SPECS = (
    "specs/asyncio_basics/test_create_task.py::test_a_new_task_first_runs_when_its_creator_suspends",
    "specs/event_loop/test_running_loop.py::test_asyncio_create_task_is_loop_create_task_on_the_running_loop",
    "specs/worked_examples/test_ex10_round_robin.py::test_the_counters_take_turns_once_the_main_coroutine_waits",
)
PYTHON = ">=3.12"  # eager tasks exist from 3.12

_eager_task_factory = asyncio.eager_task_factory


def _create_task(coro, *, name=None, context=None):
    return _eager_task_factory(asyncio.get_running_loop(), coro, name=name, context=context)


asyncio.create_task = asyncio.tasks.create_task = _create_task
