"""Bad database files, refused writes, fixture databases of every shipped schema, and privacy."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from magsleep.cli import cli
from magsleep.store import migrations
from magsleep.store.engine import Store
from magsleep.store.errors import StoreError
from magsleep.store.nights import count_nights, load_nights

FIXTURES = Path(__file__).parent.parent / "fixtures"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir" if path.is_dir() else "none"


def make_bad(kind: str, tmp_path: Path) -> Path:
    """Build one kind of bad database file; returns the path magsleep is pointed at."""
    path = tmp_path / "data" / "magsleep.db"
    path.parent.mkdir(parents=True)
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("Dear diary,\nslept badly.\n")
    elif kind == "truncated":
        shutil.copy(FIXTURES / "schema_v1.db", path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif kind == "newer":
        shutil.copy(FIXTURES / "schema_v1.db", path)
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA user_version = {migrations.CURRENT_VERSION + 5}")
        conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")  # a newer magsleep marks its files
        conn.close()
    elif kind == "directory":
        path.mkdir()
    elif kind == "under-a-file":
        (tmp_path / "data" / "plain").write_text("x")
        path = tmp_path / "data" / "plain" / "sub" / "magsleep.db"
    return path


KINDS = ["empty", "text", "truncated", "newer", "directory", "under-a-file"]


@pytest.mark.parametrize("kind", KINDS)
def test_command_line_refuses_with_one_line_and_changes_nothing(kind, tmp_path):
    path = make_bad(kind, tmp_path)
    guard = path if path.exists() else tmp_path / "data" / "plain"
    before = digest(guard)
    for args in (["export"], ["dose", "100", "--at", "2026-01-01T21:00"], ["verify"]):
        result = CliRunner().invoke(cli, ["--db", str(path), *args])
        assert result.exit_code == 2, (kind, args, result.output)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("magsleep: ")
        assert "Traceback" not in result.output
    assert digest(guard) == before


@pytest.mark.parametrize("kind", KINDS)
async def test_the_app_shows_the_message_on_screen_and_changes_nothing(kind, tmp_path):
    from tests.support.app import app_for, settle, text_of

    path = make_bad(kind, tmp_path)
    guard = path if path.exists() else tmp_path / "data" / "plain"
    before = digest(guard)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "StoreErrorScreen"
        assert text_of(app, "#store-error-message")
        await pilot.press("q")
    assert app.return_code == 2 and digest(guard) == before


def test_every_shipped_schema_opens_with_every_row(tmp_path):
    fixtures = sorted(FIXTURES.glob("schema_v*.db"))
    assert fixtures, "tests/fixtures must hold a database for every shipped schema"
    for fixture in fixtures:
        copy = tmp_path / fixture.name
        shutil.copy(fixture, copy)
        raw = sqlite3.connect(copy)
        counts = {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("night", "dose", "routine_item", "routine_check", "symptom", "setting")}
        notes = sorted(r[0] for r in raw.execute("SELECT date || coalesce(note, '') FROM night"))
        raw.close()
        store = Store.open(copy)
        with store.reading() as s:
            assert count_nights(session=s) == counts["night"] == 40
            records = load_nights(session=s)
            assert sum(len(r.doses) for r in records) == counts["dose"]
            assert sum(len(r.checks) for r in records) == counts["routine_check"]
            assert sum(len(r.symptoms) for r in records) == counts["symptom"]
            assert sorted(f"{r.night}{r.note or ''}" for r in records) == notes
            if fixture.name >= "schema_v2.db":  # trial plans came with schema 2
                from magsleep.store.trials import all_trials

                plans = all_trials(session=s)
                assert [p.pairs for p in plans] == [2, 4] and plans[0].stopped_at and not plans[1].stopped_at
        store.close()


def full_after(store: Store, pages: int) -> None:
    """Inject a full disk: every new connection may grow the file to `pages` pages at most."""
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def _limit(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")


def refuse_writes(store: Store) -> None:
    """Inject a write fault at the SQLite connection: every write is refused."""
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def _readonly(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA query_only = 1")


def test_a_full_disk_is_a_clear_error_and_loses_nothing(tmp_path):
    from tests.support.app import seed

    path = seed(tmp_path / "full.db", nights=30)
    store = Store.open(path)
    with store.reading() as s:
        before = len(load_nights(session=s))
        pages = s.connection().exec_driver_sql("PRAGMA page_count").scalar()
    full_after(store, pages)
    from magsleep.domain.demo import demo_nights
    from magsleep.store.demo import write_demo
    from tests.support.app import LAST_NIGHT, LONDON

    with pytest.raises(StoreError, match="full.*Nothing from this change was written"):
        with store.writing() as s:
            write_demo(demo_nights(LAST_NIGHT, 400, LONDON, seed=3), session=s)
    with store.reading() as s:
        assert len(load_nights(session=s)) == before
    store.close()
    assert notes_ok(path)


def notes_ok(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


async def test_the_app_keeps_what_was_typed_when_a_write_is_refused(tmp_path):
    from tests.support.app import TONIGHT, app_for, seed, settle, text_of

    path = seed(tmp_path / "full.db", nights=30)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        refuse_writes(app.store)
        app.screen.query_one("#dose-amount").value = "250"
        app.screen.query_one("#dose-amount").focus()
        await pilot.press("enter")
        await settle(pilot)
        error = text_of(app, "#dose-form-error")
        assert "could not save" in error and "Nothing from this change was written" in error
        assert app.screen.query_one("#dose-amount").value == "250"
    store = Store.open(path)
    with store.reading() as s:
        assert not [r for r in load_nights(session=s) if r.night == TONIGHT and r.doses]
    store.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private_after_every_command_even_when_they_were_loose(tmp_path, monkeypatch):
    data = tmp_path / "xdg" / "magsleep"
    monkeypatch.delenv("MAGSLEEP_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--nights", "20"]).exit_code == 0
    db = data / "magsleep.db"
    export = tmp_path / "out.json"
    export.write_text("old")
    os.chmod(export, 0o644)
    commands = [["dose", "100", "--at", "2026-01-01T21:00"], ["export", "-o", str(export)], ["backup"],
                ["report", "-o", str(tmp_path / "r.html")], ["verify"], ["insights"],
                ["sleep", "--night", "2026-01-01", "--bed", "23:00", "--latency", "5", "--final", "07:00",
                 "--up", "07:00", "--quality", "3"]]
    for args in commands:
        os.chmod(data, 0o755)
        os.chmod(db, 0o644)
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output)
        if args[0] in ("dose", "sleep"):  # a command that writes makes the data private
            assert mode(data) == 0o700 and mode(db) == 0o600, args
            for side in data.iterdir():
                assert mode(side) == 0o600, (args, side.name)
        else:  # one that only reads changes no mode (what it writes itself is 0600)
            assert mode(data) == 0o755 and mode(db) == 0o644, args
    assert mode(export) == 0o600 and export.read_text() != "old"
    assert mode(tmp_path / "r.html") == 0o600
    assert list(data.glob("magsleep-backup-*.db"))


def test_wal_and_shm_are_private_while_open(tmp_path):
    path = tmp_path / "open.db"
    store = Store.open(path)
    with store.writing() as s:
        s.connection().exec_driver_sql("INSERT INTO setting VALUES ('k', 'v')")
    sides = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    assert all(p.exists() and mode(p) == 0o600 for p in sides)
    store.close()


async def test_the_app_says_a_newer_file_is_beyond_this_magsleep(tmp_path):
    from tests.support.app import app_for, settle, text_of

    path = make_bad("newer", tmp_path)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        message = text_of(app, "#store-error-message")
        assert "this magsleep is older" in message and "Upgrade magsleep" in message
        assert "open magsleep" not in message
        await pilot.press("q")
