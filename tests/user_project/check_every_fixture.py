"""A user's tests of every fixture the plugin offers, as another project would write them."""

import asyncio
import concurrent.futures
import threading
import urllib.request

import pytest

from pytest_concurrency import AsyncSequencer, Sequencer, hang_bound, loop_stopwatch


def test_executor_maps_in_order(executor, executor_kind):
    assert executor_kind in {"thread", "process-fork", "process-spawn", "process-forkserver"}
    assert list(executor.map(pow, [1, 2, 3], [2, 2, 2])) == [1, 4, 9]


def test_thread_executor_is_a_thread_pool(thread_executor):
    assert isinstance(thread_executor, concurrent.futures.ThreadPoolExecutor)
    assert thread_executor.submit(abs, -3).result(hang_bound("short")) == 3


def test_process_executor_uses_its_own_start_method(process_executor, start_method, mp_context):
    assert mp_context.get_start_method() == start_method
    assert process_executor.submit(abs, -4).result(hang_bound("medium")) == 4


def test_executor_factory_makes_as_many_pools_as_asked(executor_factory):
    one = executor_factory("thread", max_workers=1)
    two = executor_factory("process-spawn", max_workers=1)
    assert one.submit(abs, -1).result(hang_bound("short")) == 1
    assert two.submit(abs, -2).result(hang_bound("medium")) == 2


def test_http_server_answers_with_latency(http_server):
    with urllib.request.urlopen(http_server.url("/a", latency=0.01), timeout=5) as answer:
        assert answer.read() == b"body of /a\n"


@pytest.mark.loop_flavours("virtual")
async def test_virtual_time_passes_at_once():
    with loop_stopwatch() as elapsed:
        await asyncio.sleep(3600)
    assert elapsed.seconds == 3600.0


@pytest.mark.loop_flavours("asyncio", "debug")
async def test_runs_on_each_flavour_asked():
    assert asyncio.get_running_loop().is_running()


def test_sequencer_forces_a_lost_update():
    counter = {"value": 0}
    seq = Sequencer(["a reads", "b reads", "a writes", "b writes"])

    def increment(who):
        with seq.step(f"{who} reads"):
            seen = counter["value"]
        with seq.step(f"{who} writes"):
            counter["value"] = seen + 1

    threads = [threading.Thread(target=increment, args=(who,)) for who in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(hang_bound("short"))
    assert counter["value"] == 1


async def test_async_sequencer_orders_tasks():
    seq = AsyncSequencer(["second starts", "first starts"])
    order = []

    async def run(name):
        async with seq.step(f"{name} starts"):
            order.append(name)

    await asyncio.wait_for(asyncio.gather(run("first"), run("second")), hang_bound("short"))
    assert order == ["second", "first"]
