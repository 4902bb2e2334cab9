"""asyncio.gather lists its results in the order the children finished, not in the order of
its arguments."""

import asyncio

CLAIMS = ("AIO-16", "AIO-26", "FUT-10", "EX-7", "EX-9", "EX-13")
SPECS = (
    "specs/asyncio_basics/test_gather.py::test_gather_results_follow_argument_order_not_completion_order",
    "specs/asyncio_basics/test_gather.py::test_return_exceptions_puts_exceptions_in_the_results_in_argument_order",
    "specs/futures_and_tasks/test_ensure_future.py::test_a_future_given_to_gather_is_its_child_itself",
    "specs/futures_and_tasks/test_ensure_future.py::test_gather_accepts_coroutines_futures_and_other_awaitables_alike",
    "specs/worked_examples/test_ex07_gather_web_calls.py::test_gather_sends_every_request_first_and_returns_in_argument_order",
    "specs/worked_examples/test_ex09_downloads_in_executor.py::test_the_downloads_wait_on_the_server_together_and_gather_keeps_their_order",
    "specs/worked_examples/test_ex13_web_page.py::test_with_coroutines_two_pages_download_at_the_same_time",
    "specs/worked_examples/test_ex13_web_page.py::test_with_run_in_executor_the_blocking_calls_overlap_too",
)

_original_gather = asyncio.gather


def _gather(*aws, return_exceptions=False):
    children = [asyncio.ensure_future(aw) for aw in aws]
    finished = []
    for child in children:
        child.add_done_callback(finished.append)
    combined = _original_gather(*children, return_exceptions=return_exceptions)
    reordered = combined.get_loop().create_future()

    def reorder(outer):
        if outer.cancelled():
            reordered.cancel()
        elif outer.exception() is not None:
            reordered.set_exception(outer.exception())
        else:
            by_child = dict(zip(children, outer.result(), strict=True))
            reordered.set_result([by_child[child] for child in finished])

    combined.add_done_callback(reorder)
    return reordered


asyncio.gather = asyncio.tasks.gather = _gather
