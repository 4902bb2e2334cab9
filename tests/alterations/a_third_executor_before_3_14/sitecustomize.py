"""concurrent.futures offers a third executor before Python 3.14: an InterpreterPoolExecutor
(here a plain thread pool under that name) among its public names."""

import concurrent.futures

CLAIMS = ("CF-18",)
SPECS = (
    "specs/concurrent_futures/test_executor_api.py::test_before_3_14_the_two_pools_are_the_only_executors",
)
PYTHON = "<3.14"  # from 3.14 there is a real one


class InterpreterPoolExecutor(concurrent.futures.ThreadPoolExecutor):
    """A thread pool under the name 3.14 gives its interpreter pool."""


concurrent.futures.InterpreterPoolExecutor = InterpreterPoolExecutor
concurrent.futures.__all__ = (*concurrent.futures.__all__, "InterpreterPoolExecutor")
