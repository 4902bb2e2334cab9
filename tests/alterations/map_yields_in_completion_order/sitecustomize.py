"""Executor.map (thread and process pools alike) yields the results in the order the calls
finish, not in the order of the inputs."""

import concurrent.futures

CLAIMS = ("CF-3",)
SPECS = (
    "specs/concurrent_futures/test_executor_api.py::test_map_yields_the_results_in_the_order_of_the_inputs",
)
ARGS = ("--executor-kinds=thread,process-fork",)


def _map(self, fn, *iterables, timeout=None, chunksize=1, **kwargs):
    futures = [self.submit(fn, *args) for args in zip(*iterables, strict=False)]
    return (future.result() for future in concurrent.futures.as_completed(futures, timeout))


concurrent.futures.Executor.map = _map
concurrent.futures.ProcessPoolExecutor.map = _map
