"""concurrent.futures.wait raises TimeoutError when its timeout runs out with futures
unfinished, instead of returning what finished."""

import concurrent.futures

CLAIMS = ("CF-12",)
SPECS = ("specs/concurrent_futures/test_wait.py",)

_original_wait = concurrent.futures.wait


def _wait(fs, timeout=None, return_when=concurrent.futures.ALL_COMPLETED):
    done, not_done = _original_wait(fs, timeout, return_when)
    if timeout is not None and not_done and return_when == concurrent.futures.ALL_COMPLETED:
        raise TimeoutError(f"{len(not_done)} (of {len(done) + len(not_done)}) futures unfinished")
    return done, not_done


concurrent.futures.wait = _wait
