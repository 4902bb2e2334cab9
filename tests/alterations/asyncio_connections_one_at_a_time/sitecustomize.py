"""asyncio.open_connection lets one connection of a loop be open at a time: the next waits
until the writer of the previous one is closed, so coroutines that download "at once"
download one after the other, without using any CPU while they wait."""

import asyncio
import asyncio.streams
import weakref

CLAIMS = ("EX-13",)
SPECS = (
    "specs/foundations/test_io_bound_work.py::test_asyncio_tasks_overlap_their_downloads",
    "specs/worked_examples/test_ex13_web_page.py::test_with_coroutines_two_pages_download_at_the_same_time",
)

_locks = weakref.WeakKeyDictionary()
_original_open_connection = asyncio.streams.open_connection


async def _open_connection(*args, **kwargs):
    lock = _locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    await lock.acquire()
    try:
        reader, writer = await _original_open_connection(*args, **kwargs)
    except BaseException:
        lock.release()
        raise
    original_close = writer.close

    def close():
        if lock.locked():
            lock.release()
        original_close()

    writer.close = close
    return reader, writer


asyncio.open_connection = asyncio.streams.open_connection = _open_connection
