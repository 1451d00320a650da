"""The real `magsleep` in a real terminal (tmux) at its edges (issue 17): signals give the terminal
back, no terminal is said in one line, a failed save makes q exit 2, keys typed in one burst
land where they were meant, and resizing across 80x24 while screens change never hangs it."""

from __future__ import annotations

import os
import random
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from magsleep import local_time
from magsleep.domain.nights import last_night
from magsleep.store.engine import Store
from magsleep.store.nights import load_night
from magsleep.store.settings import save_setting
from tests.support.app import seed
from tests.support.terminal import SOCKET, tmux, wait_for

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SRC = str(Path(__file__).resolve().parents[2] / "src")


def screen_of(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def demo_db(tmp_path: Path, nights: int = 20) -> Path:
    db = tmp_path / "m.db"
    env = {**os.environ, "PYTHONPATH": SRC}
    subprocess.run([sys.executable, "-m", "magsleep", "--db", str(db), "demo", "--nights", str(nights)],
                   check=True, capture_output=True, env=env)
    store = Store.open(db)
    with store.writing() as s:
        save_setting("welcome_seen", True, session=s)
    store.close()
    return db


@contextmanager
def running(tmp_path: Path, db: Path, *, prefix: str = "", size: tuple[int, int] = (100, 30)) -> Iterator[str]:
    """magsleep on `db` in a tmux session (its shell prints EXITED-<code> when it ends)."""
    session = f"magsleep-exit-{tmp_path.name}"[:60]
    # The tmux server may be older than this test: its environment need not hold PYTHONPATH.
    command = (f"env PYTHONPATH={shlex.quote(SRC)} HOME={shlex.quote(str(tmp_path))} {prefix}"
               f"{shlex.quote(sys.executable)} -m magsleep --db {shlex.quote(str(db))}; echo EXITED-$?; sleep 60")
    tmux("new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]), command)
    try:
        yield session
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", session], capture_output=True)


def leave(session: str) -> None:
    """Escape (out of a field or dialog), then q: sent apart, as escape and q in one write read as alt+q."""
    tmux("send-keys", "-t", session, "Escape")
    time.sleep(0.5)
    tmux("send-keys", "-t", session, "q")


def app_pid(session: str) -> int:
    shell = tmux("list-panes", "-t", session, "-F", "#{pane_pid}").strip()
    children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
    return int(children[0])


def terminal_modes(session: str) -> str:
    return tmux("display-message", "-p", "-t", session, "#{alternate_on} #{mouse_any_flag} #{mouse_all_flag}").strip()


def test_without_a_terminal_it_says_so_and_exits_2(tmp_path: Path):
    out = tmp_path / "out"
    with out.open("w") as sink:
        result = subprocess.run([sys.executable, "-m", "magsleep", "--db", str(tmp_path / "m.db")],
                                stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, timeout=30,
                                env={**os.environ, "PYTHONPATH": SRC})
    text = out.read_text()
    assert result.returncode == 2
    assert text.count("\n") == 1 and "needs a terminal" in text, text
    assert not (tmp_path / "m.db").exists()  # nothing created


@pytest.mark.parametrize("signal_name,code", [("TERM", 143), ("HUP", 129)])
def test_a_signal_ends_the_app_and_gives_the_terminal_back(tmp_path: Path, signal_name: str, code: int):
    db = demo_db(tmp_path)
    with running(tmp_path, db) as session:
        wait_for(session, "of sleep logged")
        assert terminal_modes(session).startswith("1 ")  # the app's alternate screen, before
        subprocess.run(["kill", f"-{signal_name}", str(app_pid(session))], check=True)
        wait_for(session, f"EXITED-{code}", timeout=15)
        assert terminal_modes(session) == "0 0 0"  # the shell's screen again, no mouse reporting


def test_q_after_a_save_that_failed_exits_2(tmp_path: Path):
    db = demo_db(tmp_path)
    # A file-size limit makes the disk full for this process alone (no mock: SQLite meets EFBIG).
    # 40,000 bytes: room for the -shm file, and for a few ticks in the -wal, not for many.
    with running(tmp_path, db, prefix="prlimit --fsize=40000 ") as session:
        wait_for(session, "of sleep logged")
        for _ in range(12):
            tmux("send-keys", "-t", session, "t", "Down", "Space")
            time.sleep(0.5)
            if "Not saved" in screen_of(session):
                break
        wait_for(session, "Not saved")
        leave(session)
        wait_for(session, "EXITED-2", timeout=15)


def test_a_morning_log_typed_in_one_burst_in_a_real_terminal(tmp_path: Path):
    db = seed(tmp_path / "m.db", nights=0)  # a first night: no usual answers offered
    with running(tmp_path, db) as session:
        wait_for(session, "0/6 done")
        # One send-keys: the terminal delivers the whole morning at once.
        tmux("send-keys", "-t", session, "l", "2245", "Enter", "2300", "Enter", "20", "Enter", "1", "Enter", "10",
             "Enter", "0630", "Enter", "0645", "Enter", "3", "Enter", "3", "C-s")
        wait_for(session, "Diary saved")
        leave(session)
        wait_for(session, "EXITED-0")
    store = Store.open(db)
    with store.reading() as s:
        diary = load_night(last_night(local_time.now(), 12), session=s).diary
    store.close()
    assert (diary.latency_min, diary.awakenings, diary.waso_min, diary.quality, diary.rested) == (20, 1, 10, 3, 3)


def resize_storm(tmp_path: Path, runs: int, resizes: int) -> None:
    db = demo_db(tmp_path)
    for run in range(runs):
        rng = random.Random(run)
        with running(tmp_path, db) as session:
            wait_for(session, "of sleep logged")
            for i in range(resizes):
                tmux("send-keys", "-t", session, rng.choice(["h", "i", "s", "f", "Escape", "?", "Escape"]))
                width, height = (31, 17) if i % 2 == 0 else (100, 30)
                tmux("resize-window", "-t", session, "-x", str(width), "-y", str(height))
                time.sleep(0.02)
            # Not asserted: the notice at the end. Under tmux 3.3 the last of a burst of resizes
            # sometimes never reaches the app (seen on main too): q must work all the same.
            tmux("resize-window", "-t", session, "-x", "100", "-y", "30")
            time.sleep(0.5)
            tmux("send-keys", "-t", session, "Escape")
            leave(session)
            wait_for(session, "EXITED-0", timeout=10)  # never deaf to q


def test_resizing_across_80x24_while_switching_screens_never_hangs(tmp_path: Path):
    resize_storm(tmp_path, runs=1, resizes=10)


@pytest.mark.long
def test_resizing_across_80x24_while_switching_screens_never_hangs_many_runs(tmp_path: Path):
    resize_storm(tmp_path, runs=7, resizes=30)
