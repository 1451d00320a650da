"""Opening the database: pragmas, private modes, and files that must be refused untouched."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest

from magsleep.store import migrations
from magsleep.store.engine import Store
from magsleep.store.errors import StoreError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pragmas_read_back_from_a_fresh_connection(store):
    with store.reading() as session:
        conn = session.connection()
        read = {p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
                for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
    assert read == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 60000}


def test_writes_begin_immediate(store, db_path):
    # While a write transaction is open, another writer cannot take the lock.
    with store.writing() as session:
        session.connection().exec_driver_sql("INSERT INTO setting VALUES ('x', '1')")
        other = sqlite3.connect(db_path, timeout=0.05)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_new_directory_and_file_are_private(store, db_path):
    assert mode(db_path.parent) == 0o700
    assert mode(db_path) == 0o600


def test_existing_loose_file_is_made_private(db_path):
    Store.open(db_path).close()
    db_path.chmod(0o644)
    Store.open(db_path).close()
    assert mode(db_path) == 0o600


def test_default_data_dir_is_made_private_even_when_it_existed(tmp_path):
    data = tmp_path / "own"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    Store.open(data / "magsleep.db", private_dir=data).close()
    assert mode(data) == 0o700


def test_schema_version_and_default_checklist(store, db_path):
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.CURRENT_VERSION
    labels = [r[0] for r in conn.execute("SELECT label FROM routine_item ORDER BY position")]
    assert labels[0] == "Take magnesium" and len(labels) == 6
    conn.close()


def test_newer_database_is_refused_and_left_byte_for_byte(db_path):
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {migrations.CURRENT_VERSION + 1}")
    conn.close()
    before = digest(db_path)
    with pytest.raises(StoreError, match="newer magsleep"):
        Store.open(db_path)
    assert digest(db_path) == before


@pytest.mark.parametrize("content, message", [
    (b"", "empty file"),
    (b"hello, I am a text file\n" * 40, "not a SQLite database"),
])
def test_non_database_files_are_refused_untouched(db_path, content, message):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store.open(db_path)
    assert db_path.read_bytes() == content


def test_truncated_database_is_refused_untouched(db_path):
    store = Store.open(db_path)
    with store.writing() as session:
        for i in range(300):
            session.connection().exec_driver_sql(f"INSERT INTO setting VALUES ('k{i}', '{'x' * 200}')")
    store.close()
    data = db_path.read_bytes()
    db_path.write_bytes(data[: len(data) // 2])
    before = digest(db_path)
    with pytest.raises(StoreError):
        Store.open(db_path)
    assert digest(db_path) == before


def test_directory_in_place_of_the_file(db_path):
    db_path.mkdir(parents=True)
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(db_path)


def test_path_under_a_regular_file(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="is a file, not a directory"):
        Store.open(blocker / "sub" / "magsleep.db")
    assert blocker.read_text() == "x"


def test_migration_backs_up_first_and_a_failure_leaves_the_old_schema(db_path, monkeypatch):
    Store.open(db_path).close()

    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error (simulated)")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    monkeypatch.setattr(migrations, "CURRENT_VERSION", len(migrations.MIGRATIONS))
    db_path.chmod(0o644)
    before = digest(db_path)
    for _ in range(3):  # each attempt fails; the unchanged file is backed up once, not once a try
        with pytest.raises(StoreError, match="simulated"):
            Store.open(db_path)
    assert digest(db_path) == before and mode(db_path) == 0o644  # not even chmod-ed
    conn = sqlite3.connect(db_path)
    shipped = len(migrations.MIGRATIONS) - 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == shipped
    assert not conn.execute("SELECT name FROM sqlite_master WHERE name='half_done'").fetchall()
    conn.close()
    backups = list(db_path.parent.glob(f"magsleep-before-v{shipped + 1}-*.db"))
    assert len(backups) == 1 and mode(backups[0]) == 0o600
    conn = sqlite3.connect(backups[0])
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_models_match_the_migration_ddl(store, db_path):
    from sqlmodel import SQLModel

    import magsleep.store.models  # noqa: F401

    conn = sqlite3.connect(db_path)
    for table in SQLModel.metadata.sorted_tables:
        stored = {r[1] for r in conn.execute(f"PRAGMA table_info({table.name})")}
        assert stored == {c.name for c in table.columns}, table.name
    conn.close()


def test_a_newer_file_says_this_magsleep_is_older_never_to_open_it_to_update(db_path, capsys):
    from click.testing import CliRunner

    from magsleep import status_line
    from magsleep.cli import cli

    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {migrations.CURRENT_VERSION + 1}")
    conn.close()
    before = digest(db_path)
    files_before = sorted(p.name for p in db_path.parent.iterdir())
    assert status_line.run(["--db", str(db_path), "status"]) == 0
    line = capsys.readouterr().out
    assert "newer magsleep" in line and "upgrade magsleep" in line and "update" not in line.replace("upgrade", "")
    for args in (["verify"], ["export"], ["dose", "100"], ["insights"]):
        result = CliRunner().invoke(cli, ["--db", str(db_path), *args])
        assert result.exit_code == 2
        assert "this magsleep is older" in result.stderr and "cannot read it" in result.stderr
        assert "open magsleep" not in result.stderr
    assert digest(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == files_before  # no -wal or -shm left beside it


def test_an_old_file_upgraded_by_several_processes_at_once(tmp_path):
    import shutil
    import subprocess
    import sys

    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent.parent / "fixtures" / "schema_v1.db", path)
    procs = [subprocess.Popen([sys.executable, "-m", "magsleep", "--db", str(path), "dose", "100",
                               "--at", f"2026-01-0{day}T21:00"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for day in range(1, 5)]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]  # what each one said
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.CURRENT_VERSION
    conn.close()
    assert len(list(tmp_path.glob("old-before-v2-*.db"))) == 1  # the same bytes are kept once


def test_a_new_file_on_a_file_system_without_hard_links(db_path, monkeypatch):
    import errno
    import os

    def no_links(*_args, **_kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)  # as on FAT or some network mounts
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    assert conn.execute("SELECT count(*) FROM routine_item").fetchone()[0] == 6
    conn.close()
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["magsleep.db"]
    assert mode(db_path) == 0o600
