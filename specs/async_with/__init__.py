"""async with, and context managers written as generators with contextlib."""
