"""End to end: the installed `magsleep` command in a real terminal under tmux."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from magsleep.store.engine import Store
from magsleep.store.nights import load_night
from tests.support.terminal import SOCKET, tmux, wait_for

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime (Debian package)")
def test_demo_dashboard_tick_and_quit(tmp_path: Path):
    # An evening on faketime's running clock: in the morning the demo's last night is still
    # tonight, already ticked, and the counts below would be others.
    clock = "faketime -f '@2026-11-25 21:30:00'"
    db = tmp_path / "demo.db"
    magsleep = shutil.which("magsleep") or str(Path(sys.executable).parent / "magsleep")
    subprocess.run(f"{clock} {magsleep} --db {db} demo --nights 30", shell=True, check=True, capture_output=True,
                   env={**os.environ, "TZ": "Europe/London"})
    session = f"magsleep-e2e-{tmp_path.name}"[:60]
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-e", "TZ=Europe/London",
         f"{clock} {magsleep} --db {db}; echo EXITED-$?; sleep 30")
    try:
        screen = wait_for(session, "Welcome to magsleep")
        assert "not medical advice" in screen
        tmux("send-keys", "-t", session, "Enter")
        # The panes fill in one after another (tonight first, then trend, then verdict).
        for pane in ("0/6 done", "Dose", "Efficiency %", "of sleep logged"):
            wait_for(session, pane)
        tmux("send-keys", "-t", session, "Down", "Space")
        wait_for(session, "1/6 done")
        tmux("send-keys", "-t", session, "q")
        wait_for(session, "EXITED-0")
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", session], capture_output=True)
    store = Store.open(db)
    with store.reading() as s:
        record = load_night(date(2026, 11, 25), session=s)
    store.close()
    assert [c.label for c in record.checks if c.done] == ["Screens off an hour before bed"]


def test_a_key_storm_never_kills_the_app(tmp_path: Path):
    """ctrl+p then PageDown within ~10 ms used to crash Textual's palette (KeyError: 0), and random
    key storms ended in it; after both, the app is still running and quits cleanly."""
    import random

    db = tmp_path / "storm.db"
    magsleep = shutil.which("magsleep") or str(Path(sys.executable).parent / "magsleep")
    subprocess.run([magsleep, "--db", str(db), "demo", "--nights", "30"], check=True, capture_output=True)
    session = f"magsleep-storm-{tmp_path.name}"[:60]
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30",
         f"{magsleep} --db {db}; echo EXITED-$?; sleep 30")
    try:
        wait_for(session, "Welcome to magsleep")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "of sleep logged")
        for _ in range(3):
            tmux("send-keys", "-t", session, "C-p")
            time.sleep(0.01)
            tmux("send-keys", "-t", session, "PageDown")
            time.sleep(0.3)
            tmux("send-keys", "-t", session, "Escape")
            time.sleep(0.2)
        rng = random.Random(5)
        keys = ["C-p", "PageDown", "PageUp", "Up", "Down", "Enter", "Escape", "Tab", "Space", "a", "l",
                "h", "i", "m", "r", "g", "/", "?", "1", "[", "End", "Home", "BSpace", "n"]
        for _ in range(150):
            tmux("send-keys", "-t", session, rng.choice(keys))
            time.sleep(rng.choice([0.0, 0.005, 0.01]))
        time.sleep(1)
        screen = tmux("capture-pane", "-p", "-t", session)
        assert "Error" not in screen and "Traceback" not in screen, screen
        # The storm may have quit through the palette's own Quit command (exit 0); otherwise quit
        # from wherever it ended (q may be typed into a field there): ctrl+q always quits.
        if "EXITED" not in screen:
            tmux("send-keys", "-t", session, "C-q")
        wait_for(session, "EXITED-0")
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", session], capture_output=True)
