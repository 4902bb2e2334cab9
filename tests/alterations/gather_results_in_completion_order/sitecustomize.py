"""asyncio.gather lists its results in the order the children finished, not in the order of
its arguments."""

import asyncio

CLAIMS = ("AIO-16",)
SPECS = (
    "specs/asyncio_basics/test_gather.py::test_gather_results_follow_argument_order_not_completion_order",
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
