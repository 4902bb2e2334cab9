"""Why asyncio suits I/O-bound work: one thread keeps many network waits open at once.

A task waiting on a socket costs the loop nothing; while it waits, the loop serves the others.
Here one thread holds twenty connections, each waiting for its data at the same moment, and
answers all of them as the data arrives. (Real sockets: this runs on the loops that do real
I/O, not on virtual time.)
"""

import asyncio
import socket
import threading

import pytest

from pytest_concurrency import hang_bound

CONNECTIONS = 20


@pytest.mark.claim("AIO-2", verdict="holds")
@pytest.mark.loop_flavours("asyncio", "eager", "uvloop")
@pytest.mark.contract
async def test_one_thread_keeps_many_socket_reads_waiting_at_the_same_time():
    """Twenty tasks each wait to read from their own socket; all twenty are waiting at once,
    on the loop's thread, and each gets its own data once it is sent."""
    pairs = [socket.socketpair() for _ in range(CONNECTIONS)]
    waiting = {"now": 0, "peak": 0}
    all_waiting = asyncio.Event()
    threads = set()

    async def read_one(sock):
        reader, writer = await asyncio.open_connection(sock=sock)
        threads.add(threading.get_ident())
        waiting["now"] += 1
        waiting["peak"] = max(waiting["peak"], waiting["now"])
        if waiting["now"] == CONNECTIONS:
            all_waiting.set()
        data = await reader.readexactly(6)  # suspends: nothing has been sent yet
        waiting["now"] -= 1
        writer.close()
        await writer.wait_closed()
        return data

    readers = []
    try:
        readers = [asyncio.create_task(read_one(ours)) for ours, _ in pairs]
        await asyncio.wait_for(all_waiting.wait(), timeout=hang_bound())
        for number, (_, theirs) in enumerate(pairs):
            theirs.sendall(f"msg{number:03d}".encode())
        received = await asyncio.wait_for(asyncio.gather(*readers), timeout=hang_bound())
    finally:
        for _, theirs in pairs:
            theirs.close()
        for reader in readers:  # a failure above leaves no reader waiting
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)

    assert waiting["peak"] == CONNECTIONS
    assert received == [f"msg{n:03d}".encode() for n in range(CONNECTIONS)]
    assert threads == {threading.get_ident()}
