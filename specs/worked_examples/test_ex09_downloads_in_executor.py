"""The note's run_in_executor example: blocking downloads made concurrent under asyncio.

``download`` is ordinary blocking code (urllib, then a file write). Handed to
``loop.run_in_executor(None, download, url)`` it runs in the loop's default thread pool, so the
three downloads wait on the network together while the loop stays free; ``gather`` returns
their results in argument order. Files are named by the MD5 of their URL, as in the note.

The note's URL strings are wrapped in angle brackets (``'<https://...>'``), which looks like a
bug but is not: urllib strips them (``urllib.parse.unwrap``, a relic of RFC 1738's
``<URL:...>`` notation), so those downloads work; only the file names, the MD5 of the string
as written, differ from those of the bare URLs.
"""

import asyncio
import hashlib
import urllib.request
from pathlib import Path

import pytest

from pytest_concurrency import condition_holds, hang_bound

NOTE = (
    "holds; the example's URLs written '<https://...>' look broken, but urllib strips the "
    "angle brackets, so they download (the files are named by the MD5 of the bracketed string)"
)
# Real threads and sockets, no timers; and the virtual loop, on 3.13, warns at teardown when
# its default executor was used (its clock jumps over shutdown_default_executor's timeout).
FLAVOURS = ("asyncio", "debug", "eager", "uvloop")


def download(url, folder):
    """Blocking: fetch url and save it under the MD5 of the URL; return (url, path)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    path = Path(folder) / hashlib.md5(url.encode("utf-8")).hexdigest()
    path.write_bytes(body)
    return url, path


@pytest.mark.claim("EX-9", verdict="holds", note=NOTE)
@pytest.mark.loop_flavours(*FLAVOURS)
async def test_the_downloads_wait_on_the_server_together_and_gather_keeps_their_order(
    http_server, tmp_path
):
    """While the server holds every request, all three downloads are in flight at once, and
    the loop still runs other work (the wait below). Released, they finish and gather lists
    them in argument order, each saved under the MD5 of its URL."""
    loop = asyncio.get_running_loop()
    urls = [http_server.url(f"/page-{n}") for n in (1, 2, 3)]
    http_server.hold()

    futures = [loop.run_in_executor(None, download, url, tmp_path) for url in urls]
    await condition_holds(lambda: http_server.in_flight == 3)  # not via the executor under test
    http_server.release()
    results = await asyncio.wait_for(asyncio.gather(*futures), timeout=hang_bound())

    assert [url for url, _ in results] == urls
    assert [path.name for _, path in results] == [
        hashlib.md5(url.encode("utf-8")).hexdigest() for url in urls
    ]
    assert [path.read_bytes() for _, path in results] == [
        b"body of /page-1\n",
        b"body of /page-2\n",
        b"body of /page-3\n",
    ]
    assert http_server.max_in_flight == 3


@pytest.mark.claim("EX-9", verdict="holds", note=NOTE)
def test_a_url_written_in_angle_brackets_downloads_all_the_same(http_server, tmp_path):
    """urllib unwraps '<http://...>' before it sends the request; the file is named by the MD5
    of the string as given, brackets included."""
    bracketed = f"<{http_server.url('/page')}>"

    url, path = download(bracketed, tmp_path)

    assert url == bracketed
    assert path.name == hashlib.md5(bracketed.encode("utf-8")).hexdigest()
    assert path.read_bytes() == b"body of /page\n"
    assert http_server.requests == ["/page"]
