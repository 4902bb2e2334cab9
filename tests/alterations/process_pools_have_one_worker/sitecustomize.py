"""A ProcessPoolExecutor never has more than one worker process, whatever max_workers says:
calls sent to it run one after another (no CPU is spent waiting)."""

import concurrent.futures

CLAIMS = ("CF-7",)
ARGS = ("--start-methods=fork",)
SPECS = (
    "specs/foundations/test_cpu_bound_work.py::test_a_process_pool_keeps_several_cpus_busy",
    "specs/concurrent_futures/test_max_workers.py::test_before_3_13_a_default_process_pool_has_one_worker_per_cpu",
    "specs/worked_examples/test_ex03_fibonacci.py::test_a_process_pool_finishes_the_work_sooner_than_one_cpu_could",
)

_original_init = concurrent.futures.ProcessPoolExecutor.__init__


def _init(self, max_workers=None, *args, **kwargs):
    _original_init(self, 1, *args, **kwargs)


concurrent.futures.ProcessPoolExecutor.__init__ = _init
