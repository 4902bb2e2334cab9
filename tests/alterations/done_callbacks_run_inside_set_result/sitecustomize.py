"""An asyncio future runs its done callbacks inside set_result(), at once, instead of
scheduling them on the loop (asyncio.Future is the pure-Python future here)."""

import asyncio
import asyncio.futures

CLAIMS = ("FUT-1",)
SPECS = (
    "specs/futures_and_tasks/test_future.py::test_done_callbacks_run_on_the_loop_after_the_result_is_set_not_inside_set_result",
)

_PyFuture = asyncio.futures._PyFuture


def _schedule_callbacks(self):
    callbacks = self._callbacks[:]
    self._callbacks[:] = []
    for callback, context in callbacks:
        context.run(callback, self)


_PyFuture._Future__schedule_callbacks = _schedule_callbacks
asyncio.Future = asyncio.futures.Future = _PyFuture
