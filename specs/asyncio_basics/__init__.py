"""asyncio fundamentals: coroutines, tasks, await, gather, wait, as_completed, sleep (AIO)."""
