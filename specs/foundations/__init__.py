"""Foundations: synchronous and asynchronous calls, threads and processes, pickling, random
numbers after fork, and which kind of concurrency pays off for which kind of work.

Behaviour is shown with recorded events, barriers and the Sequencer. The performance claims
compare medians of repeated runs as a ratio, with a margin derived from the usable CPUs, so
that they hold on a loaded two-core machine and beside other tests (``pytest -n 2``).
"""
