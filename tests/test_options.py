"""Command-line options, their ini twins, usage errors and the report header."""

from __future__ import annotations

import sys

import pytest

from pytest_concurrency import hang_bound

USAGE_ERROR = pytest.ExitCode.USAGE_ERROR  # 4

SYNC_AND_ASYNC = """
    import asyncio
    from pytest_concurrency import hang_bound

    def test_kind(executor_kind):
        pass

    def test_bound():
        print("short bound", hang_bound("short"))

    async def test_flavour():
        print("loop", type(asyncio.get_running_loop()).__name__)
"""


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "--start-methods=bogus",
            "*unknown start method 'bogus'; accepted: fork, spawn, forkserver",
        ),
        ("--start-methods=fork,threads", "*unknown start method 'threads'; accepted: fork, *"),
        (
            "--executor-kinds=process",
            "*unknown executor kind 'process'; accepted: thread, process-fork, process-spawn,"
            " process-forkserver, loky, dask",
        ),
        (
            "--loop-flavours=trio",
            "*unknown loop flavour 'trio'; accepted: asyncio, debug, eager, virtual, uvloop,"
            " rloop (or all*",
        ),
        (
            "--hang-scale=slow",
            "*--hang-scale takes a positive number such as 2 or 0.5, got 'slow'",
        ),
        ("--hang-scale=0", "*--hang-scale takes a positive number*got '0'"),
        ("--hang-scale=-2", "*--hang-scale takes a positive number*got '-2'"),
        ("--leak-check=loud", "*unknown --leak-check mode 'loud'; accepted: fail, warn, off"),
    ],
)
def test_a_bad_option_value_is_a_usage_error_naming_the_accepted_values(
    pytester: pytest.Pytester, option: str, message: str
) -> None:
    """Every option rejects a bad value with exit status 4 and a message saying what is valid."""
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest(option)
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "start_methods = bogus",
            "*unknown start method 'bogus'; accepted: fork, spawn, forkserver",
        ),
        ("executor_kinds = threads", "*unknown executor kind 'threads'*"),
        ("loop_flavours = trio", "*unknown loop flavour 'trio'*"),
        ("hang_scale = slow", "*--hang-scale takes a positive number*"),
        ("leak_check = loud", "*unknown --leak-check mode 'loud'*"),
    ],
)
def test_a_bad_ini_value_is_a_usage_error_too(
    pytester: pytest.Pytester, make_ini, setting: str, message: str
) -> None:
    """The ini twins are checked like the options."""
    make_ini(setting)
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest()
    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])


INI_SETTINGS = """\
start_methods = spawn
executor_kinds = thread, process-spawn, process-fork
loop_flavours = virtual
hang_scale = 3
leak_check = off
"""


def test_the_ini_twins_set_every_choice(pytester: pytest.Pytester, make_ini) -> None:
    """start_methods, executor_kinds, loop_flavours and hang_scale are read from the ini file."""
    make_ini(INI_SETTINGS)
    pytester.makepyfile(SYNC_AND_ASYNC)
    result = pytester.runpytest("-v", "-s")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*start methods spawn; executor kinds thread, process-spawn",
            "*loop flavours virtual *",
            "*test_kind?thread? PASSED*",
            "*test_kind?process-spawn? PASSED*",
            "*short bound 15.0*",
            "*loop VirtualTimeEventLoop*",
        ]
    )


@pytest.mark.platform("linux")
def test_the_command_line_wins_over_the_ini_file(pytester: pytest.Pytester, make_ini) -> None:
    """Each option overrides its ini twin."""
    make_ini(INI_SETTINGS)
    pytester.makepyfile(SYNC_AND_ASYNC)
    result = pytester.runpytest(
        "-v",
        "-s",
        "--start-methods=fork",
        "--executor-kinds=process-fork",
        "--loop-flavours=asyncio",
        "--hang-scale=2",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*start methods fork; executor kinds process-fork",
            "*loop flavours asyncio *",
            "*test_kind?process-fork? PASSED*",
            "*short bound 10.0*",
            "*loop _UnixSelectorEventLoop*",
        ]
    )


def test_the_leak_check_ini_twin_is_overridden_by_the_option(
    pytester: pytest.Pytester, make_ini
) -> None:
    """leak_check = off in the ini file is overridden by --leak-check=fail."""
    make_ini(INI_SETTINGS)
    pytester.makepyfile(
        """
        import asyncio

        async def test_x():
            asyncio.get_running_loop().create_task(asyncio.sleep(1), name="forgotten")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
    result = pytester.runpytest("--leak-check=fail")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*task 'forgotten'*"])


def test_all_flavours_can_be_asked_for_at_once(pytester: pytest.Pytester) -> None:
    """--loop-flavours=all runs async tests on every flavour."""
    pytester.makepyfile("async def test_x(): pass")
    reprec = pytester.inline_run("--loop-flavours=all")
    passed, skipped, _ = reprec.listoutcomes()
    ids = [r.nodeid.split("::")[1] for r in [*passed, *skipped]]
    assert sorted(ids) == sorted(
        f"test_x[{name}]" for name in ("asyncio", "debug", "eager", "virtual", "uvloop", "rloop")
    )


def test_the_hang_scale_of_a_run_ends_with_it(pytester: pytest.Pytester) -> None:
    """An inner run's --hang-scale does not leak into the process that ran it."""
    before = hang_bound("short")
    pytester.makepyfile("def test_x(): pass")
    pytester.runpytest("--hang-scale=7").assert_outcomes(passed=1)
    assert hang_bound("short") == before


@pytest.mark.gil("enabled")
def test_the_header_shows_python_gil_start_methods_and_flavours(
    pytester: pytest.Pytester,
) -> None:
    """The report header says what the run is made of."""
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--start-methods=spawn,fork", "--loop-flavours=virtual,debug")
    version = sys.version.split()[0]
    result.stdout.fnmatch_lines(
        [
            f"concurrency: cpython {version}, GIL enabled, * CPUs",
            "concurrency: start methods spawn, fork; executor kinds thread, process-fork, "
            "process-spawn",
            "concurrency: loop flavours virtual, debug (available here: asyncio, debug, *virtual*)",
        ]
    )


@pytest.mark.gil("disabled")
def test_the_header_says_when_the_gil_is_off(pytester: pytest.Pytester) -> None:
    """On a free-threaded build the header says the GIL is disabled."""
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest()
    version = sys.version.split()[0]
    result.stdout.fnmatch_lines(
        [f"concurrency: cpython {version}, GIL disabled (free-threaded), * CPUs"]
    )


def test_the_options_are_documented_in_help(pytester: pytest.Pytester) -> None:
    """pytest --help lists every option in the plugin's group."""
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "concurrency testing (pytest-concurrency-specs):",
            "*--start-methods=METHODS*",
            "*--executor-kinds=KINDS*",
            "*--loop-flavours=FLAVOURS*",
            "*--hang-scale=FACTOR*",
            "*--leak-check=MODE*",
        ]
    )
