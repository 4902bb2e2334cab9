"""Executor.submit remembers its calls: a second submit of the same function with equal
arguments hands back the first call's future instead of running the call again."""

import concurrent.futures

CLAIMS = ("CF-4",)
SPECS = (
    "specs/concurrent_futures/test_submit.py::test_each_submit_runs_its_own_call_even_with_the_same_arguments",
)
ARGS = ("--executor-kinds=thread,process-fork",)


def _remembering(submit):
    def remembering_submit(self, fn, /, *args, **kwargs):
        calls = self.__dict__.setdefault("_altered_calls", {})
        key = (fn, args, tuple(sorted(kwargs.items())))
        if key not in calls:
            calls[key] = submit(self, fn, *args, **kwargs)
        return calls[key]

    return remembering_submit


for _pool in (concurrent.futures.ThreadPoolExecutor, concurrent.futures.ProcessPoolExecutor):
    _pool.submit = _remembering(_pool.submit)
