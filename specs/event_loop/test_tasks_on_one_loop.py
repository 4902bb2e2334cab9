"""One loop, many tasks: each task keeps its own call stack, but only one runs at a time.

A task suspended deep inside nested coroutine calls keeps every frame of that chain while the
others run; the loop switches tasks only where a task suspends, so two tasks' steps never
overlap.
"""

import asyncio

import pytest

ALL_FLAVOURS = ("asyncio", "debug", "eager", "virtual", "uvloop")


@pytest.mark.claim("LOOP-1", verdict="holds")
@pytest.mark.loop_flavours(*ALL_FLAVOURS)
@pytest.mark.contract
async def test_tasks_suspended_in_nested_calls_keep_their_own_stacks_and_run_one_at_a_time():
    """Three tasks each descend through nested calls, suspend at the bottom, then unwind. Each
    step runs alone (enter and leave pairs never overlap), and each task finds its own chain
    of callers intact when it resumes."""
    events = []
    gate = asyncio.get_running_loop().create_future()

    async def descend(name, depth, path):
        if depth == 0:
            events.append(f"{name} leaves")
            await gate  # suspended here with the whole chain of calls kept
            events.append(f"{name} enters")
            return path
        return await descend(name, depth - 1, [*path, f"{name}{depth}"])

    async def task_body(name, depth):
        events.append(f"{name} enters")
        path = await descend(name, depth, [])
        events.append(f"{name} leaves")
        return path

    tasks = [asyncio.create_task(task_body(name, depth)) for name, depth in (("a", 3), ("b", 1))]
    await asyncio.sleep(0)  # both tasks are now suspended at the gate
    gate.set_result(None)
    paths = await asyncio.gather(*tasks)

    assert paths == [["a3", "a2", "a1"], ["b1"]]
    assert events == [
        "a enters",
        "a leaves",
        "b enters",
        "b leaves",
        "a enters",
        "a leaves",
        "b enters",
        "b leaves",
    ]
