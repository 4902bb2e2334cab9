"""ThreadPoolExecutor.submit runs the call at once in the caller's own thread and returns a
finished future: no worker thread, and the caller waits for the callee."""

import concurrent.futures

CLAIMS = ("CF-16", "BAS-2", "BAS-3")
SPECS = (
    "specs/concurrent_futures/test_executor_api.py::test_a_thread_pool_runs_work_in_another_thread_of_this_process",
    "specs/foundations/test_sync_vs_async.py::test_a_thread_runs_the_call_while_the_caller_goes_on",
)


def _submit(self, fn, /, *args, **kwargs):
    future = concurrent.futures.Future()
    future.set_running_or_notify_cancel()
    try:
        future.set_result(fn(*args, **kwargs))
    except BaseException as error:
        future.set_exception(error)
    return future


concurrent.futures.ThreadPoolExecutor.submit = _submit
