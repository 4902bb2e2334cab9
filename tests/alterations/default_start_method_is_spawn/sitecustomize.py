"""multiprocessing's default start method is spawn, as on macOS and Windows, instead of
Linux's own default (fork before Python 3.14, forkserver from it)."""

import multiprocessing

CLAIMS = ("BAS-8", "EX-5")
SPECS = (
    "specs/foundations/test_default_start_method.py::test_before_3_14_a_default_pool_on_linux_forks_its_workers",
    "specs/foundations/test_default_start_method.py::test_from_3_14_a_default_pool_on_linux_starts_workers_from_a_fork_server",
    "specs/foundations/test_default_start_method.py::test_before_3_14_the_note_as_written_forks_and_still_gets_distinct_numbers",
    "specs/foundations/test_default_start_method.py::test_from_3_14_the_note_as_written_gets_distinct_numbers_from_its_fork_server",
)
PLATFORM = "linux"  # elsewhere spawn is the default already

multiprocessing.set_start_method("spawn", force=True)
