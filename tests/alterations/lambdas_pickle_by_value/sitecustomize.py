"""multiprocessing pickles a lambda by value (its code), so a process pool runs lambdas as a
thread pool does, instead of failing to send them."""

import marshal
import sys
import types
from multiprocessing.reduction import ForkingPickler

CLAIMS = ("BAS-6", "EX-4", "EX-15")
SPECS = (
    "specs/foundations/test_default_start_method.py::test_the_notes_lambda_fails_to_pickle_whatever_the_default_start_method",
    "specs/foundations/test_pickling.py::test_a_lambda_cannot_be_sent_to_a_process_pool",
    "specs/worked_examples/test_ex04_lambda_in_a_pool.py::test_a_lambda_is_accepted_by_submit_and_fails_when_the_result_is_read",
    "specs/worked_examples/test_ex04_lambda_in_a_pool.py::test_before_3_14_a_local_lambda_fails_with_attribute_error",
    "specs/worked_examples/test_ex04_lambda_in_a_pool.py::test_the_lambda_never_reaches_a_worker_and_the_pool_stays_usable",
)


def _rebuild(code, module, defaults):
    globals_ = getattr(sys.modules.get(module), "__dict__", {"__builtins__": __builtins__})
    return types.FunctionType(marshal.loads(code), globals_, "<lambda>", defaults)


def _reducer_override(self, obj):
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        return _rebuild, (marshal.dumps(obj.__code__), obj.__module__, obj.__defaults__)
    return NotImplemented


ForkingPickler.reducer_override = _reducer_override
