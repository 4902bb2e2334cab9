"""asyncio.gather raises a child's error wrapped in 5000 nested ExceptionGroups: a failure
pytest itself cannot process (it recurses through the groups), which must still end as a
failed spec and a contradicted claim."""

import asyncio

CLAIMS = ("AIO-26",)
SPECS = (
    "specs/asyncio_basics/test_gather.py::test_a_failing_child_fails_the_gather_at_once_while_the_others_keep_running",
)
PYTHON = ">=3.11"  # ExceptionGroup is new in 3.11
DEPTH = 5000

_original_gather = asyncio.gather


def _bury(error):
    for _ in range(DEPTH):
        error = ExceptionGroup("gathered", [error])  # noqa: F821 (3.11+, see PYTHON)
    return error


def _gather(*aws, return_exceptions=False):
    combined = _original_gather(*aws, return_exceptions=return_exceptions)
    buried = combined.get_loop().create_future()

    def bury(outer):
        if outer.cancelled():
            buried.cancel()
        elif outer.exception() is not None:
            buried.set_exception(_bury(outer.exception()))
        else:
            buried.set_result(outer.result())

    combined.add_done_callback(bury)
    return buried


asyncio.gather = asyncio.tasks.gather = _gather
