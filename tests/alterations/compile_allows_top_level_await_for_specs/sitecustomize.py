"""compile() called by the specs' own code allows top-level await (as the asyncio REPL
does): async with, async for and await compile at module level."""

import ast
import builtins
import sys

CLAIMS = ("CTX-1", "EX-20")
SPECS = (
    "specs/async_with/test_async_context_managers.py::test_async_with_is_a_syntax_error_outside_an_async_function",
    "specs/worked_examples/test_ex13_web_page.py::test_async_with_at_module_level_compiles_only_where_top_level_await_is_allowed",
)

_original_compile = builtins.compile


def _compile(source, filename, mode, flags=0, *args, **kwargs):
    if "/specs/" in sys._getframe(1).f_code.co_filename.replace("\\", "/"):
        flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    return _original_compile(source, filename, mode, flags, *args, **kwargs)


builtins.compile = _compile
