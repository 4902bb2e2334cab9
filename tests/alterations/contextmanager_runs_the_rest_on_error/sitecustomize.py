"""contextlib.contextmanager runs the code after yield when the block raises (resuming the
generator instead of throwing the exception into it), then lets the exception go on."""

import contextlib

CLAIMS = ("CTX-3",)
SPECS = (
    "specs/async_with/test_contextlib.py::test_an_exception_in_the_block_skips_the_code_after_yield",
)

_original_exit = contextlib._GeneratorContextManager.__exit__


def _exit(self, typ, value, traceback):
    if typ is None:
        return _original_exit(self, typ, value, traceback)
    try:
        next(self.gen)
    except StopIteration:
        return False
    return False


contextlib._GeneratorContextManager.__exit__ = _exit
