"""Real processes, real files: SIGKILL mid-write, two writers at once, backups during writes.

Children are forked after the store is imported, so each starts in milliseconds and the kill
loop stays short; each child opens its own Store (nothing is shared across the fork).
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from magsleep.store.engine import Store
from tests.faults.writers import fork_writer, read_all

KILLS = 50


def note_counts(path: Path) -> dict[str, int]:
    """How many doses hold each note (every acknowledged write must be there exactly once)."""
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT note, count(*) FROM dose GROUP BY note").fetchall())
    finally:
        conn.close()


def notes_in(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return {row[0] for row in conn.execute("SELECT note FROM dose")}
    finally:
        conn.close()


def wait_ready(fd: int, timeout: float = 20) -> None:
    ready, _, _ = select.select([fd], [], [], timeout)
    assert ready, "the writer never started"
    first = os.read(fd, 6)
    assert first == b"ready\n", first


def first_line(fd: int, timeout: float = 20) -> bytes:
    """The child's first acknowledgement: from then on it is writing, whatever the machine's speed."""
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], timeout)
        assert ready, "the writer never acknowledged a write"
        byte = os.read(fd, 1)
        assert byte, "the writer stopped before its first write"
        line += byte
    return line


def kill_loop(path: Path, kills: int, seed: int = 1) -> tuple[set[str], int]:
    rng = random.Random(seed)
    acked: set[str] = set()
    for round_ in range(kills):
        # Each child has its own tag, so every acknowledged write is a note no other write has.
        pid, fd = fork_writer(path, tag=round_)
        wait_ready(fd)
        first = first_line(fd).decode()
        time.sleep(rng.uniform(0.0, 0.1))  # then killed at a random point of a later write
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        for line in [first.strip(), *read_all(fd)]:
            assert not line.startswith("error"), line
            tag, seq, kind = line.split()
            assert f"{tag}:{seq}" not in acked, f"{tag}:{seq} acknowledged twice"
            acked.add(f"{tag}:{seq}")
    return acked, len(acked)


def test_sigkill_mid_write_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "kill.db"
    Store.open(path).close()
    acked, count = kill_loop(path, KILLS)
    assert count > KILLS  # the children really were writing when killed
    counts = note_counts(path)
    stored = set(counts)
    assert acked <= stored, f"{len(acked - stored)} acknowledged writes lost"
    assert all(counts[note] == 1 for note in acked)
    # A dose without its ack was committed just before the kill: at most one per child.
    assert len(stored - acked) <= KILLS


@pytest.mark.long
def test_sigkill_many_more_times(tmp_path):
    path = tmp_path / "kill.db"
    Store.open(path).close()
    acked, _ = kill_loop(path, 500, seed=2)
    assert acked <= notes_in(path)


def test_two_writers_at_once_queue_instead_of_failing(tmp_path):
    path = tmp_path / "two.db"
    Store.open(path).close()
    children = [fork_writer(path, tag=tag, count=200) for tag in (1, 2)]
    lines = []
    for pid, fd in children:
        lines += read_all(fd)
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
    assert not [line for line in lines if line.startswith("error")], [line for line in lines if "error" in line][:3]
    stored = notes_in(path)
    assert {f"{tag}:{seq}" for tag in (1, 2) for seq in range(200)} <= stored
    assert len(stored) == 400


def test_backup_while_another_process_writes_is_consistent(tmp_path):
    path = tmp_path / "live.db"
    store = Store.open(path)
    pid, fd = fork_writer(path, tag=3)
    wait_ready(fd)
    first_line(fd)  # the writer is committing: back up while it goes on
    backups = [store.backup(tmp_path / f"b{i}.db") for i in range(3)]
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    acked = {":".join(line.split()[:2]) for line in read_all(fd)}
    store.close()
    previous = 0
    for backup in backups:
        rows = notes_in(backup)  # integrity_check ok
        sequence = sorted(int(n.split(":")[1]) for n in rows)
        assert sequence == list(range(len(sequence)))  # a consistent prefix, no holes
        assert len(sequence) >= previous
        previous = len(sequence)
        assert rows <= notes_in(path)
        assert {n for n in acked if int(n.split(":")[1]) < len(sequence) - 1} <= rows
        assert oct(backup.stat().st_mode & 0o777) == "0o600"
