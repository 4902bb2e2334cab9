"""The default start method: what a program that never names one gets.

The note's programs make ``ProcessPoolExecutor()`` with no ``mp_context``, so their workers start
by the platform's default method, and what they show (repeated random numbers above all) depends
on it. The note takes fork as the default on UNIX. That holds on Linux before Python 3.14 only:
macOS has started with ``spawn`` since Python 3.8, Windows always has, and from Python 3.14
Linux starts with ``forkserver`` (CPython gh-84559, ``Lib/multiprocessing/context.py``).

The specs run each program as a script in a fresh interpreter, as the note does, so nothing the
test run has done (threads, imports, a chosen start method) leaks into it. The worker reports
how it was started through public means only: the pid of its parent (this script under fork and
spawn, the fork server under forkserver) and a module global the parent changed after import (a
forked child keeps the change, a child that imports the module afresh does not).
"""

import os
import subprocess
import sys
import textwrap

import pytest

from pytest_concurrency import hang_bound

DEFAULT_IS_FORK_ONLY_HERE = (
    "the note takes fork as the default start method on UNIX; it is on Linux before Python "
    "3.14 only (forkserver from 3.14; spawn on macOS since 3.8 and on Windows)"
)
AS_WRITTEN_NO_REPEATS = (
    "as written the note's program shows no duplicates on numpy 2: its parent never uses "
    "np.random, which numpy 2 loads lazily, so each worker seeds its own generator"
)

# A default pool, and how its one worker says it was started. The parent changes a global after
# import: a forked worker sees the change, an imported one does not.
HOW_THE_DEFAULT_POOL_STARTS = """
import concurrent.futures, multiprocessing, os

CHANGED_BY_THE_PARENT = False

def how_i_started():
    return os.getppid(), CHANGED_BY_THE_PARENT

if __name__ == "__main__":
    CHANGED_BY_THE_PARENT = True
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        parent_pid, inherited = pool.submit(how_i_started).result(timeout=60)
    print(multiprocessing.get_start_method(), parent_pid == os.getpid(), inherited)
"""

# The note's numpy program with the default context. Its two workers meet at a barrier before
# drawing, so the two draws come from two processes. USE_NP_RANDOM_FIRST is replaced by True for
# the parent that draws before its workers start (BAS-8), by False for the note as written.
NUMPY_IN_A_DEFAULT_POOL = """
import concurrent.futures, multiprocessing, sys
import numpy as np
from pytest_concurrency.spec_support.workloads import keep_barrier, meet_then_numpy_draw

if __name__ == "__main__":
    if USE_NP_RANDOM_FIRST:
        np.random.random()
    loaded = "numpy.random" in sys.modules
    with concurrent.futures.ProcessPoolExecutor(
        2, initializer=keep_barrier, initargs=(multiprocessing.Barrier(2),)
    ) as pool:
        futures = [pool.submit(meet_then_numpy_draw) for _ in range(2)]
        draws = [future.result(timeout=60) for future in futures]
    pids, values = {pid for pid, _ in draws}, {value for _, value in draws}
    print(multiprocessing.get_start_method(), loaded, len(pids), len(values))
"""

# The note's lambda, at module level of the script, sent to a default pool.
LAMBDA_IN_A_DEFAULT_POOL = """
import pickle
from concurrent.futures import ProcessPoolExecutor, wait

func = lambda: 1

if __name__ == "__main__":
    with ProcessPoolExecutor() as pool:
        future = pool.submit(func)
        done, _ = wait([future], timeout=60)
        try:
            future.result(timeout=0)
        except Exception as error:
            print(len(done), isinstance(error, pickle.PicklingError), type(error).__name__)
"""


def run_program(source, tmp_path):
    """Run ``source`` as a script in a fresh interpreter that sees this run's modules; return
    the words it printed."""
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(source))
    finished = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=hang_bound("medium"),
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=True,
    )
    return finished.stdout.split()


def numpy_program(tmp_path, *, use_np_random_first):
    source = NUMPY_IN_A_DEFAULT_POOL.replace("USE_NP_RANDOM_FIRST", str(use_np_random_first))
    return run_program(source, tmp_path)


# --- which method is the default -------------------------------------------------------------


@pytest.mark.claim("BAS-8", verdict="conditional", note=DEFAULT_IS_FORK_ONLY_HERE)
@pytest.mark.platform("linux")
@pytest.mark.python("<3.14")
def test_before_3_14_a_default_pool_on_linux_forks_its_workers(tmp_path):
    """On Linux before Python 3.14 the default start method is fork: the worker is a child of
    the script and keeps what the parent changed before the pool started it."""
    assert run_program(HOW_THE_DEFAULT_POOL_STARTS, tmp_path) == ["fork", "True", "True"]


@pytest.mark.claim("BAS-8", verdict="conditional", note=DEFAULT_IS_FORK_ONLY_HERE)
@pytest.mark.platform("linux")
@pytest.mark.python(">=3.14")
def test_from_3_14_a_default_pool_on_linux_starts_workers_from_a_fork_server(tmp_path):
    """From Python 3.14 the default on Linux is forkserver: the worker is a child of the fork
    server, not of the script, and imports the script's module afresh."""
    assert run_program(HOW_THE_DEFAULT_POOL_STARTS, tmp_path) == ["forkserver", "False", "False"]


@pytest.mark.claim("BAS-8", verdict="conditional", note=DEFAULT_IS_FORK_ONLY_HERE)
@pytest.mark.platform("darwin", "win32")
def test_on_macos_and_windows_a_default_pool_spawns_its_workers(tmp_path):
    """On macOS (since Python 3.8, the oldest supported here is 3.10) and Windows the default
    is spawn: the worker is a child of the script but a fresh interpreter, which imports the
    script's module again."""
    assert run_program(HOW_THE_DEFAULT_POOL_STARTS, tmp_path) == ["spawn", "True", "False"]


# --- what the note's programs show with it ---------------------------------------------------


@pytest.mark.claim("BAS-8", verdict="conditional", note=DEFAULT_IS_FORK_ONLY_HERE)
@pytest.mark.platform("linux")
@pytest.mark.python("<3.14")
def test_before_3_14_default_pool_workers_on_linux_repeat_the_parents_numpy_numbers(tmp_path):
    """A parent that used numpy's global generator before making a default pool forks two
    workers with copies of its state: they draw the same number."""
    words = numpy_program(tmp_path, use_np_random_first=True)

    assert words == ["fork", "True", "2", "1"]


@pytest.mark.claim("BAS-8", verdict="conditional", note=DEFAULT_IS_FORK_ONLY_HERE)
@pytest.mark.platform("linux")
@pytest.mark.python(">=3.14")
def test_from_3_14_default_pool_workers_on_linux_draw_their_own_numpy_numbers(tmp_path):
    """From Python 3.14 the same program's workers come from the fork server, which never
    used the parent's generator: each seeds its own and they draw different numbers."""
    words = numpy_program(tmp_path, use_np_random_first=True)

    assert words == ["forkserver", "True", "2", "2"]


@pytest.mark.claim("BAS-8", verdict="conditional", note=DEFAULT_IS_FORK_ONLY_HERE)
@pytest.mark.platform("darwin", "win32")
def test_on_macos_and_windows_default_pool_workers_draw_their_own_numpy_numbers(tmp_path):
    """Spawned workers load numpy afresh and seed it themselves: different numbers."""
    words = numpy_program(tmp_path, use_np_random_first=True)

    assert words == ["spawn", "True", "2", "2"]


@pytest.mark.claim("EX-5", verdict="erratum", note=AS_WRITTEN_NO_REPEATS)
@pytest.mark.platform("linux")
@pytest.mark.python("<3.14")
@pytest.mark.library("numpy", ">=2.2")
def test_before_3_14_the_note_as_written_forks_and_still_gets_distinct_numbers(tmp_path):
    """The note's program as written, on Linux before 3.14: its workers are forked, but numpy
    2 has not loaded numpy.random in the parent, so there is no state to copy."""
    words = numpy_program(tmp_path, use_np_random_first=False)

    assert words == ["fork", "False", "2", "2"]


@pytest.mark.claim("EX-5", verdict="erratum", note=AS_WRITTEN_NO_REPEATS)
@pytest.mark.platform("linux")
@pytest.mark.python(">=3.14")
@pytest.mark.library("numpy", ">=2.2")
def test_from_3_14_the_note_as_written_gets_distinct_numbers_from_its_fork_server(tmp_path):
    """The note's program as written, on Linux from 3.14: its workers come from the fork
    server, and numpy.random is not even loaded in the parent."""
    words = numpy_program(tmp_path, use_np_random_first=False)

    assert words == ["forkserver", "False", "2", "2"]


@pytest.mark.claim("EX-4", verdict="holds")
def test_the_notes_lambda_fails_to_pickle_whatever_the_default_start_method(tmp_path):
    """The note's lambda in a default pool: wait() reports the future done, and result()
    raises pickle's PicklingError. Every start method pickles the call to send it, so the
    outcome is the same under fork, forkserver and spawn."""
    assert run_program(LAMBDA_IN_A_DEFAULT_POOL, tmp_path) == ["1", "True", "PicklingError"]
