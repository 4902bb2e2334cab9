"""run_in_executor: blocking code under asyncio, run in an executor beside the loop.

(A package, so that this folder's test_run_in_executor.py and event_loop/'s file of the same
name are imported as different modules.)
"""
