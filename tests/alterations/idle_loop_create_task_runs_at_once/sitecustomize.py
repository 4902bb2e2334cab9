"""loop.create_task on a loop nobody is running drives the new task to its end at once, inside
create_task, instead of only scheduling it for when the loop runs."""

import asyncio.base_events

CLAIMS = ("LOOP-4",)
SPECS = (
    "specs/event_loop/test_get_event_loop.py::test_a_task_made_on_a_loop_that_is_not_running_starts_only_when_the_loop_runs",
)

_create_task = asyncio.base_events.BaseEventLoop.create_task


def create_task(self, coro, **options):
    task = _create_task(self, coro, **options)
    if not self.is_running() and not self.is_closed():
        self.run_until_complete(task)
    return task


asyncio.base_events.BaseEventLoop.create_task = create_task
