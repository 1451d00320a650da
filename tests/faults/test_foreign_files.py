"""Another program's SQLite file, whatever the command: refused in one line, left byte for byte.

Bytes, mode, mtime and the -wal/-shm files (present or absent) of the file and its folder are
compared before and after every command, the app's start-up and the status line.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from magsleep import status_line
from magsleep.cli import cli
from magsleep.store import files, migrations
from magsleep.store.engine import Store
from magsleep.store.errors import NotMagsleep, StoreError

FIXTURES = Path(__file__).parent.parent / "fixtures"


def snapshot(folder: Path) -> dict[str, object]:
    """Every file in `folder` (so a new -wal, -shm or backup shows) with its bytes, mode and mtime."""
    seen: dict[str, object] = {".": stat.S_IMODE(folder.stat().st_mode)}
    for entry in sorted(folder.iterdir()):
        info = entry.stat()
        seen[entry.name] = (entry.read_bytes(), stat.S_IMODE(info.st_mode), info.st_mtime_ns)
    return seen


def _contacts(path: Path, *, wal: bool = False, version: int = 0, app_id: int = 0) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts (name, phone) VALUES ('Ada', '555-0100')")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute(f"PRAGMA application_id = {app_id}")
    conn.commit()
    conn.close()


def make_foreign(kind: str, folder: Path) -> tuple[Path, sqlite3.Connection | None]:
    """One kind of SQLite file that is not magsleep's, mode 0644; and a connection kept open, if any."""
    folder.mkdir(parents=True)
    path = folder / "other.db"
    live = None
    if kind == "contacts":
        _contacts(path)
    elif kind == "contacts-wal":
        _contacts(path, wal=True)
    elif kind == "contacts-wal-in-use":  # its program has it open: -wal and -shm are there
        _contacts(path, wal=True)
        live = sqlite3.connect(path)
        live.execute("SELECT count(*) FROM contacts").fetchone()
    elif kind == "user-version-2":  # many programs number their schema too
        _contacts(path, version=2)
    elif kind == "current-version-some-tables":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE night (id INTEGER PRIMARY KEY, date TEXT)")
        conn.execute("CREATE TABLE dose (id INTEGER PRIMARY KEY)")
        conn.execute(f"PRAGMA user_version = {migrations.CURRENT_VERSION}")
        conn.close()
    elif kind == "v1-tables-and-more":
        shutil.copy(FIXTURES / "schema_v1.db", path)
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY)")
        conn.close()
    elif kind == "another-application-id":
        shutil.copy(FIXTURES / "schema_v1.db", path)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA application_id = 252006673")  # Fossil's
        conn.close()
    elif kind == "empty-sqlite":  # a header and no tables: not clearly new, so not adopted
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.close()
    path.chmod(0o644)
    for side in folder.iterdir():
        side.chmod(0o644)
    return path, live


KINDS = ["contacts", "contacts-wal", "contacts-wal-in-use", "user-version-2", "current-version-some-tables",
         "v1-tables-and-more", "another-application-id", "empty-sqlite"]

COMMANDS = [
    ["verify"], ["export"], ["insights"], ["backup"], ["trial", "status"], ["trial", "start"],
    ["dose", "100", "--at", "2026-01-01T21:00"], ["demo", "--nights", "5"],
    ["sleep", "--night", "2026-01-01", "--bed", "23:00", "--latency", "5", "--final", "07:00", "--up", "07:00",
     "--quality", "3"],
]


@pytest.fixture
def foreign(request, tmp_path):
    path, live = make_foreign(request.param, tmp_path / "data")
    yield path
    if live is not None:
        live.close()


@pytest.mark.parametrize("foreign", KINDS, indirect=True)
def test_every_command_refuses_a_foreign_file_in_one_line_and_leaves_it_alone(foreign, tmp_path):
    before = snapshot(foreign.parent)
    for args in COMMANDS:
        result = CliRunner().invoke(cli, ["--db", str(foreign), *args])
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("magsleep: "), (args, result.stderr)
        assert str(foreign) in result.stderr and "left as it is" in result.stderr, (args, result.stderr)
        assert snapshot(foreign.parent) == before, args
    report = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["--db", str(foreign), "report", "-o", str(report)])
    assert result.exit_code == 2 and not report.exists()
    assert snapshot(foreign.parent) == before


@pytest.mark.parametrize("foreign", KINDS, indirect=True)
def test_the_status_line_and_the_store_leave_a_foreign_file_alone(foreign, capsys):
    before = snapshot(foreign.parent)
    assert status_line.run(["--db", str(foreign), "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["error"] == "not a magsleep database (left as it is)"
    assert status_line.run(["--db", str(foreign), "status"]) == 0
    assert capsys.readouterr().out == "Mg · not a magsleep database (left as it is)\n"
    for read_only in (False, True):
        with pytest.raises(NotMagsleep):
            Store.open(foreign, read_only=read_only)
    assert snapshot(foreign.parent) == before


@pytest.mark.parametrize("foreign", ["contacts-wal", "contacts-wal-in-use", "user-version-2"], indirect=True)
async def test_the_app_refuses_a_foreign_file_on_screen_and_leaves_it_alone(foreign):
    from tests.support.app import app_for, settle, text_of

    before = snapshot(foreign.parent)
    app = app_for(foreign)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "StoreErrorScreen"
        assert "another program's SQLite database" in text_of(app, "#store-error-message")
        await pilot.press("q")
    assert app.return_code == 2
    assert snapshot(foreign.parent) == before


def test_identify_reads_only_the_header(tmp_path):
    path, live = make_foreign("contacts-wal", tmp_path / "data")
    with pytest.raises(NotMagsleep, match="another program's"):
        files.identify(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["other.db"]  # no -wal, no -shm
    assert files.identify(tmp_path / "data" / "missing.db") is None
    store_path = tmp_path / "data" / "m.db"
    Store.open(store_path).close()
    assert files.identify(store_path) == migrations.CURRENT_VERSION
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    conn.close()


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("schema_v*.db")))
def test_a_file_from_before_the_mark_is_recognised_and_marked_on_its_first_write(fixture, tmp_path):
    path = tmp_path / fixture
    shutil.copy(FIXTURES / fixture, path)
    assert files.identify(path) == int(fixture[len("schema_v"):-3])
    result = CliRunner().invoke(cli, ["--db", str(path), "dose", "100", "--at", "2026-01-01T21:00"])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.CURRENT_VERSION
    conn.close()


def test_a_zero_byte_file_is_not_adopted(tmp_path):
    path = tmp_path / "touched.db"
    path.touch()
    with pytest.raises(StoreError, match="empty file"):
        Store.open(path)
    assert path.read_bytes() == b""


def test_an_unmarked_schema_3_file_is_still_magsleep_s(tmp_path):
    """Schema 3 shipped briefly before the mark: its files are recognised by their tables too."""
    path = tmp_path / "v3.db"
    shutil.copy(FIXTURES / "schema_v2.db", path)
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.MIGRATIONS[2](conn)
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    assert files.identify(path) == 3
    Store.open(path).close()
    assert files.identify(path) == migrations.CURRENT_VERSION
