"""A pool's future never finishes: the result of a call is dropped, so the future stays
running for ever. A spec that read result() without a bound would hang the run."""

import concurrent.futures._base as base

CLAIMS = ("CF-6",)
SPECS = (
    "specs/concurrent_futures/test_future_states.py::test_result_and_the_state_methods_report_a_finished_call",
)
ARGS = ("--executor-kinds=thread",)  # each kind waits out a medium bound: one is enough


def _set_result(self, result):
    """Drop the result; the future stays as it was."""


base.Future.set_result = _set_result
