"""Many writers at once: the first use of a new file, writers under CPU load, and a long wait.

A new database appears whole (never as the empty file another process would refuse), the write
lock is held only for the writes, and the busy timeout outlasts a queue on a loaded machine.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from magsleep.domain.magnesium import dose_amount
from magsleep.store.doses import add_dose
from magsleep.store.engine import Store


def _first_use_child(path: Path, go: int, tag: int) -> None:
    os.read(go, 1)  # every child starts at the same moment
    store = Store.open(path)
    with store.writing() as session:
        add_dose(date(2026, 1, 1), datetime(2026, 1, 1, 21, tzinfo=UTC), dose_amount("glycinate", 100),
                 note=f"c{tag}", session=session)
    store.close()


def first_use_round(path: Path, children: int) -> list[str]:
    """`children` forked processes open the same new file at once and write; returns their errors."""
    go_read, go_write = os.pipe()
    kids = []
    for tag in range(children):
        err_read, err_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: report an error on the pipe, then leave without pytest's cleanup
            os.close(err_read)
            os.close(go_write)
            try:
                _first_use_child(path, go_read, tag)
                code = 0
            except BaseException as err:
                os.write(err_write, f"{type(err).__name__}: {err}".encode())
                code = 1
            os._exit(code)
        os.close(err_write)
        kids.append((pid, err_read))
    os.close(go_read)
    os.close(go_write)  # go
    errors = []
    for pid, err_read in kids:
        with os.fdopen(err_read, "rb") as pipe:
            text = pipe.read().decode()
        os.waitpid(pid, 0)
        if text:
            errors.append(text)
    return errors


def test_first_use_by_several_processes_at_once(tmp_path):
    for round_ in range(10):
        path = tmp_path / f"r{round_}" / "new" / "magsleep.db"
        assert first_use_round(path, 5) == []
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM dose").fetchone()[0] == 5
        assert conn.execute("SELECT count(*) FROM routine_item").fetchone()[0] == 6  # seeded once
        conn.close()
        assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("magsleep.db")) == []


def magsleep(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "magsleep", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_first_use_from_the_command_line(tmp_path):
    db = str(tmp_path / "fresh" / "magsleep.db")
    procs = [magsleep("--db", db, "dose", "100", "--at", f"2026-01-0{day}T21:00") for day in range(1, 6)]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), results


WATCH = textwrap.dedent("""
    import sys
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Mapper

    state = {}

    @event.listens_for(Engine, "begin")
    def _begin(conn):
        if conn.get_execution_options().get("magsleep_write"):
            state["modules"] = set(sys.modules)

    @event.listens_for(Engine, "commit")
    def _commit(conn):
        if "modules" in state:
            new = sorted(set(sys.modules) - state.pop("modules"))
            print("imported while writing:", new, file=sys.stderr)

    @event.listens_for(Mapper, "before_configured")
    def _configure():
        if "modules" in state:
            print("mappers configured while writing", file=sys.stderr)

    from magsleep.__main__ import main
    sys.argv = ["magsleep", *sys.argv[1:]]
    main()
""")


@pytest.mark.parametrize("args", [
    ["dose", "100", "--at", "2026-01-01T21:00"],
    ["sleep", "--night", "2026-01-01", "--bed", "23:00", "--latency", "5", "--final", "07:00", "--up", "07:00",
     "--quality", "3"],
])
def test_the_write_lock_is_held_only_for_the_writes(args, tmp_path):
    """Imports and the ORM's set-up happen before BEGIN IMMEDIATE: under load they held the lock."""
    db = str(tmp_path / "m.db")
    Store.open(Path(db)).close()
    done = subprocess.run([sys.executable, "-c", WATCH, "--db", db, *args], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "imported while writing: []" in done.stderr, done.stderr
    assert "configured while writing" not in done.stderr


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another process's long write transaction (a big import, a slow disk)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_a_writer_outlasts_a_lock_held_for_seconds(tmp_path):
    db = tmp_path / "m.db"
    Store.open(db).close()
    with write_lock_held(db):
        proc = magsleep("--db", str(db), "dose", "100", "--at", "2026-01-01T21:00")
        time.sleep(7)  # more than the 5 s that made 18 of 40 loaded writers fail
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Logged 100 mg" in out


@contextmanager
def cpu_hog(count: int) -> Iterator[None]:
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def writers_under_load(tmp_path: Path, writers: int, hogs: int) -> None:
    db = tmp_path / "busy.db"
    Store.open(db).close()
    with cpu_hog(hogs):
        procs = [magsleep("--db", str(db), "dose", "100", "--at", f"2026-01-{n % 28 + 1:02d}T21:00",
                          "--note", f"w{n}") for n in range(writers)]
        results = [p.communicate(timeout=600) for p in procs]
    failed = [err.strip() for p, (_, err) in zip(procs, results, strict=True) if p.returncode]
    assert failed == [], f"{len(failed)} of {writers} failed: {failed[:2]}"
    assert not any("locked" in err for _, err in results)  # they queued: none even said it waited
    conn = sqlite3.connect(db)
    notes = {row[0] for row in conn.execute("SELECT note FROM dose")}
    conn.close()
    assert {f"w{n}" for n in range(writers)} <= notes


def test_ten_writers_and_a_cpu_hog(tmp_path):
    """The command line run in parallel, on a machine kept busy (the same without the hog is a
    lighter case of this one, and was folded into it)."""
    writers_under_load(tmp_path, 10, 1)


@pytest.mark.long
def test_forty_writers_and_a_cpu_hog(tmp_path):
    writers_under_load(tmp_path, 40, 1)
