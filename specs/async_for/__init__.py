"""async for, async iterators and async generators."""
