"""Odd paths, links, read-only files and lying import files: what is written is exactly what was
asked for, complete or absent, and nothing untrue is stored. Real files, real commands."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from magsleep.cli import cli
from magsleep.store.engine import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("magsleep: "), result.stderr
    return lines[0]


# ---------------------------------------------------------------- paths


@pytest.mark.parametrize("name", ["a%41b.db", "sleep?.db", "we#ek.db", "space d.db", "ünï.db"])
def test_the_database_is_exactly_the_path_given(tmp_path, name):
    folder = tmp_path / "x"
    folder.mkdir()
    result = run(folder / name, "dose", "123")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [name]
    conn = sqlite3.connect(folder / name)
    assert conn.execute("SELECT amount_mg FROM dose").fetchall() == [(123.0,)]
    conn.close()
    assert run(folder / name, "verify").exit_code == 0
    assert mode(folder / name) == 0o600


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "data" / "m.db"
    assert run(path, "demo", "--nights", "20").exit_code == 0
    return path


@pytest.mark.parametrize("command", [["export", "-o"], ["report", "-o"]])
def test_outputs_never_follow_a_symlink(db, tmp_path, command):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.chmod(victim, 0o644)
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    error = one_line_error(run(db, *command, str(link)))
    assert "symbolic link" in error
    assert victim.read_text() == "precious" and mode(victim) == 0o644 and link.is_symlink()


@pytest.mark.parametrize("command", [["export", "-o"], ["report", "-o"]])
def test_outputs_replace_a_loose_file_with_a_private_one(db, tmp_path, command):
    shared = tmp_path / "shared"
    shared.mkdir()
    out = shared / "out.md"
    out.write_text("old")
    os.chmod(out, 0o666)
    result = run(db, *command, str(out))
    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600 and out.read_text() != "old" and len(out.read_text()) > 100
    charts = {"out-diary.svg", "out-weeks.svg"} if command[0] == "report" else set()  # a Markdown report's
    assert {p.name for p in shared.iterdir()} == {"out.md", *charts}  # no temporary file left behind


def test_outputs_refuse_a_missing_folder_and_create_nothing(db, tmp_path):
    for args in (["export", "-o"], ["report", "-o"], ["backup"]):
        error = one_line_error(run(db, *args, str(tmp_path / "nowhere" / "x.db")))
        assert "does not exist" in error
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("command", ["verify", "insights", "export", "report", "backup"])
def test_read_only_commands_never_create_anything(tmp_path, command):
    typo = tmp_path / "tpyo" / "m.db"
    error = one_line_error(run(typo, command))
    assert "no database" in error
    assert not typo.parent.exists()


def test_a_failed_backup_never_deletes_what_it_did_not_create(db, tmp_path):
    dangling = tmp_path / "b.db"
    dangling.symlink_to(tmp_path / "missing-target")
    one_line_error(run(db, "backup", str(dangling)))
    assert dangling.is_symlink()
    existing = tmp_path / "c.db"
    existing.write_text("mine")
    assert "already exists" in one_line_error(run(db, "backup", str(existing)))
    assert existing.read_text() == "mine"


def fork_backup(source: Path, dest: Path) -> tuple[int, int]:
    """A forked child (the store already imported: it starts in milliseconds, where a new Python
    took 0.3 s of CPU) opens `source`, writes "ready" on the pipe it returns, then backs up."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: leave without pytest's cleanup, whatever happens
        code = 1
        try:
            os.close(read_fd)
            store = Store.open(source, read_only=True)
            os.write(write_fd, b"ready\n")
            store.backup(dest)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def test_a_backup_killed_midway_is_complete_or_absent(tmp_path):
    source = tmp_path / "big.db"
    assert run(source, "demo", "--nights", "3000").exit_code == 0
    outcomes = []
    for attempt in range(10):
        dest = tmp_path / f"b{attempt}.db"
        pid, ready = fork_backup(source, dest)
        assert os.read(ready, 6) == b"ready\n"
        time.sleep(0.002 * attempt)  # from the first page to after the end
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(ready)
        if dest.exists():
            conn = sqlite3.connect(f"{dest.as_uri()}?mode=ro", uri=True)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM night").fetchone()[0] == 3000
            conn.close()
            assert mode(dest) == 0o600
            outcomes.append("complete")
        else:
            outcomes.append("absent")
    assert run(source, "backup", str(tmp_path / "after.db")).exit_code == 0
    assert "absent" in outcomes  # the kills did land mid-way


def test_new_folders_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        assert run(tmp_path / "a" / "b" / "m.db", "dose", "100").exit_code == 0
    finally:
        os.umask(old)
    assert mode(tmp_path / "a") == 0o700 and mode(tmp_path / "a" / "b") == 0o700


# ---------------------------------------------------------------- read-only files


def test_a_read_only_database_is_refused_for_writes_and_left_as_it_is(db):
    os.chmod(db, 0o400)
    before = db.read_bytes()
    error = one_line_error(run(db, "dose", "100"))
    assert "read-only" in error and "nothing was saved" in error
    assert db.read_bytes() == before and mode(db) == 0o400
    # Reading it is fine, and changes no mode.
    assert run(db, "verify").exit_code == 0 and run(db, "insights").exit_code == 0
    assert mode(db) == 0o400


def test_verify_leaves_a_read_only_backup_read_only(db, tmp_path):
    backup = tmp_path / "b.db"
    assert run(db, "backup", str(backup)).exit_code == 0
    os.chmod(backup, 0o400)
    assert run(backup, "verify").exit_code == 0
    assert mode(backup) == 0o400


NOBODY_CHILD_TIMEOUT = 30


def as_nobody(fn) -> str:
    """Run `fn` in a forked child as uid/gid 65534 (root ignores modes) and return what it says.

    Everything the child needs is imported before the fork: the interpreter's own files may be
    out of that user's reach.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            message = fn()
        except BaseException as err:
            message = f"raised {err!r}"
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        said = pipe.read()
    os.waitpid(pid, 0)
    return said


@pytest.fixture
def open_folder():
    """A folder that uid 65534 can reach (pytest's own temporary folders are 0700)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="magsleep-ro-"))
    os.chmod(folder, 0o755)
    yield folder
    for sub in folder.rglob("*"):
        if sub.is_dir():
            os.chmod(sub, 0o755)
    shutil.rmtree(folder)


def test_a_healthy_database_in_a_read_only_folder_is_not_called_damaged(open_folder):
    from magsleep.store.errors import StoreError

    folder = open_folder / "ro"
    folder.mkdir()
    path = folder / "m.db"
    Store.open(path).close()
    os.chown(path, 65534, 65534)
    os.chmod(folder, 0o555)

    def write() -> str:
        try:
            Store.open(path).close()
        except StoreError as err:
            return str(err)
        return "opened"

    said = as_nobody(write)
    assert "damaged" not in said and "move it aside" not in said, said
    assert "not writable" in said, said

    def read() -> str:  # SQLite needs its lock files even to read a WAL database: said plainly
        try:
            store = Store.open(path, read_only=True)
            with store.reading() as s:
                count = s.connection().exec_driver_sql("SELECT count(*) FROM routine_item").scalar()
            store.close()
        except StoreError as err:
            return str(err)
        return f"read {count} items"

    said = as_nobody(read)
    assert "not writable" in said and "looks fine" in said and "damaged" not in said, said


async def test_the_app_says_what_was_not_saved_and_exits_non_zero(db):
    from magsleep.ui.app import make_app
    from tests.support.app import SIZE, notices, settle

    os.chmod(db, 0o400)
    before = db.read_bytes()
    app = make_app(db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "read-only" in str(app.screen.query_one("#store-error-message").render())
        app.run_db(lambda s: None, write=True)  # a tick that arrives after the failure
        await settle(pilot)
        messages = notices(app)
        assert any("Not saved" in m and "read-only" in m for m in messages), messages
        await pilot.press("q")
    assert app.return_code == 2
    assert db.read_bytes() == before and mode(db) == 0o400


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("args,message", [
    (["dose", "100", "--at", "0001-01-01T00:00"], "too early"),
    (["dose", "100", "--at", "1900-01-01T22:00"], "too early"),
    (["report", "--from", "1999-12-31"], "too early"),
    (["sleep", "--night", "1999-06-01", "--bed", "23:00", "--latency", "5", "--final", "07:00", "--up", "07:00",
      "--quality", "3"], "too early"),
])
def test_dates_before_2000_are_refused(tmp_path, args, message):
    db = tmp_path / "m.db"
    assert message in one_line_error(run(db, *args))
    assert not db.exists()


# ---------------------------------------------------------------- imports that lie or break


def night(day: str = "2026-01-10", **extra) -> dict:
    from datetime import date, timedelta

    after = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    row = {"night": day, "bed": f"{day}T23:00:00+00:00", "tried": None, "latency_min": 45, "awakenings": 2,
           "waso_min": 60, "final": f"{after}T06:30:00+00:00", "up": f"{after}T07:00:00+00:00",
           "quality": 3, "rested": 2, "note": None, "symptoms": [], "routine": {},
           "doses": [{"taken_at": f"{day}T22:00:00+00:00", "form": "oxide", "amount_mg": 200,
                      "amount_is": "elemental"}]}
    row.update(extra)
    return row


def import_text(tmp_path: Path, text: str, suffix: str = ".json"):
    path = tmp_path / f"in{suffix}"
    path.write_text(text, encoding="utf-8")
    db = tmp_path / "imp.db"
    Store.open(db).close()
    result = run(db, "import", str(path))
    conn = sqlite3.connect(db)
    nights = conn.execute("SELECT count(*) FROM night").fetchone()[0]
    conn.close()
    return result, nights


@pytest.mark.parametrize("change,field", [
    ({"doses": [{"taken_at": "2026-01-10T22:00:00+00:00", "form": "oxide", "amount_mg": 2000,
                 "amount_is": "elemental", "elemental_mg": 1}]}, "doses[0].elemental_mg"),
    ({"tib_min": 400}, "tib_min"),
    ({"tst_min": 999}, "tst_min"),
    ({"se_pct": 99.9}, "se_pct"),
    ({"elemental_mg": 5}, "elemental_mg"),
])
def test_derived_values_that_disagree_are_refused(tmp_path, change, field):
    result, nights = import_text(tmp_path, json.dumps({"nights": [night(**change)]}))
    assert result.exit_code == 2 and f"field {field}" in result.stderr and "recomputed" in result.stderr
    assert nights == 0


def test_derived_values_that_agree_are_accepted(tmp_path):
    row = night(tib_min=480, tst_min=345, se_pct=71.9, elemental_mg=200.0)
    row["doses"][0]["elemental_mg"] = 200.0
    result, nights = import_text(tmp_path, json.dumps({"nights": [row]}))
    assert result.exit_code == 0, result.output
    assert nights == 1


@pytest.mark.parametrize("text,words", [
    (json.dumps({"nights": [night(latency_min=10**400)]}), "field latency_min: must be at most"),
    (json.dumps({"nights": [night(rested=1e400)]}), "field rested"),
    ('{"nights": [{"night": "2026-01-10", "awakenings": ' + "9" * 5000 + "}]}", "digits"),
    ('{"nights": [{"night": "2026-01-10", "latency_min": 15}]}', "field bed: is needed"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"nights": [], "nights": []}', "appears twice"),
    ('{"nights": [{"night": "2026-01-10", "night": "2026-01-11"}]}', "appears twice"),
    ('{"nights": [{"night": "2026-01-10", "mood": "great"}]}', "field mood: is not a field"),
    ('{"extra": {"nights": [1]}, "nights": []}', "unknown top-level field 'extra'"),
    ('{"nights": [{"night": "1900-01-01"}]}', "too early"),
    ('{"nights": [{"night": "0001-01-01"}]}', "too early"),
    ('{"nights": [{"night": "2999-01-01"}]}', "in the future"),
    ('{"nights": [{"night": "2026-01-10", "routine": {"Tea": true, " tea ": false}}]}', "are the same item"),
    ('{"nights": [{"night": "2026-01-10", "bed": "0001-01-01T00:00:00+00:00"}]}', "too early"),
])
def test_broken_and_hostile_json_gets_one_clear_refusal(tmp_path, text, words):
    result, nights = import_text(tmp_path, text)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and words in result.stderr, result.stderr
    assert nights == 0


def test_line_numbers_point_at_the_real_nights(tmp_path):
    data = {"about": None, "nights": [night("2026-01-10"), night("2026-01-12", quality=9)]}
    text = json.dumps(data, indent=1).replace('"about": null', '"about_": {"nights": [1, 2]}')
    text = text.replace('"about_": {"nights": [1, 2]},', '')  # keep the file valid: unknown keys are refused
    text = '{\n "nights_note": 0,\n' + text[1:]
    result, _ = import_text(tmp_path, text.replace('"nights_note": 0,', ''))
    expected = text.replace('"nights_note": 0,', '').splitlines()
    line = next(i for i, text in enumerate(expected, 1) if '"night": "2026-01-12"' in text) - 1
    assert f"line {line} (night 2026-01-12), field quality" in result.stderr, result.stderr


def test_every_problem_is_counted_beyond_twenty(tmp_path):
    rows = [night(f"2025-01-{d:02d}", quality=9) for d in range(1, 31)]
    result, nights = import_text(tmp_path, json.dumps({"nights": rows}))
    assert "... and 10 more problems" in result.stderr and nights == 0


def test_a_spreadsheet_csv_with_a_bom_imports(tmp_path):
    source = tmp_path / "src.db"
    assert run(source, "demo", "--nights", "5").exit_code == 0
    exported = run(source, "export", "--format", "csv").stdout
    result, nights = import_text(tmp_path, "\ufeff" + exported, suffix=".csv")
    assert result.exit_code == 0, result.output
    assert nights == 5


def test_csv_formulas_are_neutralised_and_round_trip_byte_for_byte(tmp_path):
    source = tmp_path / "src.db"
    notes = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@cmd", "\tx", "'=quoted", "plain"]
    rows = [night(f"2026-01-{i + 10:02d}", note=note) for i, note in enumerate(notes)]
    rows[0]["routine"] = {"=cmd|' /C calc'!A0": True}
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"nights": rows}))
    Store.open(source).close()
    assert run(source, "import", str(path)).exit_code == 0
    csv_text = run(source, "export", "--format", "csv").stdout
    for line in csv_text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@", "\t")), cell
    again = tmp_path / "again.db"
    Store.open(again).close()
    (tmp_path / "x.csv").write_text(csv_text)
    assert run(again, "import", str(tmp_path / "x.csv")).exit_code == 0, "import of the CSV failed"
    assert run(again, "export", "--format", "csv").stdout == csv_text
    assert run(again, "export").stdout == run(source, "export").stdout


def test_markdown_report_escapes_labels_and_terminals_get_no_control_codes(tmp_path):
    db = tmp_path / "m.db"
    rows = [night("2026-01-10", routine={"<script>alert(1)</script> *tea*": True, "Bell": True})]
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"nights": rows}))
    Store.open(db).close()
    assert run(db, "import", str(path)).exit_code == 0
    conn = sqlite3.connect(db)
    with conn:  # a label written by another program, with a terminal escape in it
        conn.execute("UPDATE routine_item SET label = ? WHERE label = 'Bell'", ("Bell\x1b]0;pwned\x07",))
    conn.close()
    report = run(db, "report").stdout
    assert "<script>" not in report and "\\<script\\>" in report and "\\*tea\\*" in report
    assert "\x1b" not in report and "\x07" not in report and "Bell␛\\]0;pwned␇" in report
    html = run(db, "report", "--format", "html").stdout
    assert "<script>" not in html and "\x1b" not in html
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nights": [{"night": "2026-01-10\x1b]0;x\x07", "quality": 3}]}))
    result = run(db, "import", str(bad))
    assert result.exit_code == 2 and "\x1b" not in result.stderr and "\x07" not in result.stderr
