"""A tmux server of the tests' own, and waiting for text to appear in one of its panes."""

from __future__ import annotations

import os
import subprocess
import time

# A server already running (another shell's) would start the app with that server's environment
# (another PYTHONPATH, another magsleep), not this run's.
SOCKET = f"magsleep-tests-{os.getpid()}"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=True).stdout


def wait_for(session: str, text: str, timeout: float = 30) -> str:
    """The pane's text once `text` is in it; fails with the screen as it was after `timeout` s."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")
