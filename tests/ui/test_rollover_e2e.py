"""End to end: the installed app, left open across the rollover hour, under faketime's running clock."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.terminal import SOCKET, tmux, wait_for

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None or shutil.which("faketime") is None,
                                reason="needs tmux and faketime")


def test_the_open_app_moves_to_the_new_night_at_noon(tmp_path: Path):
    db = tmp_path / "roll.db"
    magsleep = shutil.which("magsleep") or str(Path(sys.executable).parent / "magsleep")
    env = {**os.environ, "FAKETIME_DONT_FAKE_MONOTONIC": "1", "TZ": "Europe/London"}
    clock = ["faketime", "-f", "@2026-11-30 11:59:45"]
    subprocess.run([*clock, magsleep, "--db", str(db), "demo", "--nights", "10"], check=True,
                   capture_output=True, env=env)
    session = f"magsleep-roll-{tmp_path.name}"[:60]
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-e", "FAKETIME_DONT_FAKE_MONOTONIC=1",
         "-e", "TZ=Europe/London", f"faketime -f '@2026-11-30 11:59:50' {magsleep} --db {db}; echo EXITED-$?; sleep 30")
    try:
        wait_for(session, "Welcome to magsleep")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "night of Sun 29 Nov")  # before noon: still last night (10 s to spare)
        screen = wait_for(session, "night of Mon 30 Nov", timeout=45)  # by itself, after noon
        assert "0/6 done" in screen
        tmux("send-keys", "-t", session, "Down", "Space")
        wait_for(session, "1/6 done")
        tmux("send-keys", "-t", session, "q")
        wait_for(session, "EXITED-0")
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", session], capture_output=True)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ticked = conn.execute("SELECT n.date, i.label FROM routine_check c JOIN night n ON n.id = c.night_id "
                          "JOIN routine_item i ON i.id = c.item_id WHERE c.done = 1 AND n.date = '2026-11-30'"
                          ).fetchall()
    conn.close()
    assert ticked == [("2026-11-30", "Screens off an hour before bed")]
