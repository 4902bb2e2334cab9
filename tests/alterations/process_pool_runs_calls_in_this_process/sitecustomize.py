"""ProcessPoolExecutor.submit runs the call at once in this process, unpickled, and returns a
finished future: nothing is sent to a worker process."""

import concurrent.futures

CLAIMS = ("CF-16", "BAS-6")
SPECS = (
    "specs/concurrent_futures/test_executor_api.py::test_a_process_pool_runs_work_in_another_process",
    "specs/foundations/test_pickling.py::test_a_lambda_cannot_be_sent_to_a_process_pool",
)
ARGS = ("--start-methods=fork",)


def _submit(self, fn, /, *args, **kwargs):
    future = concurrent.futures.Future()
    future.set_running_or_notify_cancel()
    try:
        future.set_result(fn(*args, **kwargs))
    except BaseException as error:
        future.set_exception(error)
    return future


concurrent.futures.ProcessPoolExecutor.submit = _submit
