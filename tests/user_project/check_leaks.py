"""A user's test that leaves a thread running: the plugin's leak check warns (this project does
not configure the check, and a user's default only warns)."""

import threading

import pytest

from pytest_concurrency import hang_bound

never_set = threading.Event()


# The project turns warnings into errors; this one is the warning the test exists to show.
@pytest.mark.filterwarnings("default:the test left:pytest.PytestWarning")
def test_leaves_a_thread_running():
    # A daemon, so that the process still exits at once when the run ends.
    threading.Thread(
        target=never_set.wait, args=(hang_bound("medium"),), name="left-behind", daemon=True
    ).start()
