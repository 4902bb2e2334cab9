"""asyncio futures and tasks, asyncio.run and ensure_future (FUT)."""
