"""ThreadPoolExecutor() sizes itself at five threads per CPU, as Python 3.5 to 3.7 did."""

import concurrent.futures
import os

CLAIMS = ("CF-7",)
SPECS = ("specs/concurrent_futures/test_max_workers.py",)

_original_init = concurrent.futures.ThreadPoolExecutor.__init__


def _init(self, max_workers=None, *args, **kwargs):
    if max_workers is None:
        max_workers = (os.cpu_count() or 1) * 5
    _original_init(self, max_workers, *args, **kwargs)


concurrent.futures.ThreadPoolExecutor.__init__ = _init
