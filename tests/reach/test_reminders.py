"""`magsleep remind evening|morning`: quiet when done (exit 0), one line of what is left (exit 1)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from magsleep import local_time
from magsleep.domain.nights import last_night, night_of
from magsleep.domain.reminders import EveningState, evening_left, morning_left, trial_night_wording
from magsleep.domain.routine import TAKE_MAGNESIUM


def tick(db: Path, labels: set[str] | None = None) -> None:
    """Tick tonight's items (all but "Take magnesium" unless named) in the real database."""
    from magsleep.store.engine import Store
    from magsleep.store.routine import list_items, set_check

    store = Store.open(db)
    night = night_of(local_time.now())
    with store.writing() as s:
        for item in list_items(session=s, active_only=True):
            if (labels is None and item.label != TAKE_MAGNESIUM) or (labels and item.label in labels):
                set_check(night, item.id, True, session=s)
    store.close()


def test_evening_says_what_is_left_then_nothing_once_done(run, opened):
    result = run("remind", "evening")
    assert result.exit_code == 1
    assert result.stdout == "Tonight: magnesium not logged, 6 of 6 items left\n"
    tick(opened, {"Wind-down routine", "Dark, cool, quiet bedroom", "Regular bedtime"})
    assert run("remind", "evening").stdout == "Tonight: magnesium not logged, 3 of 6 items left\n"
    run("dose", "200")  # the dose ticks "Take magnesium"
    assert run("remind", "evening").stdout == "Tonight: 2 of 6 items left\n"
    tick(opened)
    result = run("remind", "evening")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_a_switched_off_item_is_not_owed(run, opened):
    from magsleep.store.engine import Store
    from magsleep.store.routine import list_items, set_active

    store = Store.open(opened)
    with store.writing() as s:
        for item in list_items(session=s):
            if item.label != "Regular bedtime":
                set_active(item.id, False, session=s)
    store.close()
    assert run("remind", "evening").stdout == "Tonight: 1 of 1 item left\n"
    tick(opened, {"Regular bedtime"})
    assert run("remind", "evening").exit_code == 0


def test_a_trial_no_magnesium_night_needs_its_tick_and_not_a_dose(run, opened):
    """A baseline night is a no-magnesium night: "Take magnesium" reads "No magnesium tonight"."""
    assert run("trial", "start", "--baseline", "3").exit_code == 0
    tick(opened)
    result = run("remind", "evening")
    assert result.stdout == "Tonight: no magnesium tonight (trial) not ticked, 1 of 6 items left\n"
    tick(opened, {TAKE_MAGNESIUM})
    assert run("remind", "evening").exit_code == 0
    # A dose on a no-magnesium night: a deviation (the item can no longer be kept), so it is not owed
    run("dose", "100")
    assert (run("remind", "evening").exit_code, run("remind", "evening").stdout) == (0, "")


def test_morning_is_quiet_once_last_night_is_logged(run, opened):
    result = run("remind", "morning")
    assert (result.exit_code, result.stdout) == (1, "Last night's sleep is not logged yet\n")
    last = last_night(local_time.now())
    logged = run("sleep", "--night", last.isoformat(), "--bed", "23:00", "--latency", "15", "--final", "06:50",
                 "--up", "07:00", "--quality", "3")
    assert logged.exit_code == 0, logged.output
    result = run("remind", "morning")
    assert (result.exit_code, result.stdout) == (0, "")


def test_missing_or_foreign_database_is_one_line_and_nothing_is_created(run, db_path, tmp_path):
    result = run("remind", "evening")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "no database" in result.stderr
    assert not db_path.exists()
    other = tmp_path / "other.db"
    other.write_bytes(b"not a database at all" * 100)
    from click.testing import CliRunner

    from magsleep.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(other), "remind", "morning"])
    assert result.exit_code == 2 and result.stderr.startswith("magsleep: ") and "Traceback" not in result.output


def _fake_notify_send(folder: Path, *, fails: bool) -> Path:
    """A stand-in notify-send on PATH that records its arguments (or fails like a missing display)."""
    folder.mkdir()
    script = folder / "notify-send"
    body = ('echo "Cannot autolaunch D-Bus without X11 $DISPLAY" >&2; exit 1' if fails
            else f'printf "%s\\n" "$@" > {folder / "args"}')
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


def test_notify_sends_and_says_when_it_cannot(run, opened, tmp_path, monkeypatch):
    sent = _fake_notify_send(tmp_path / "ok", fails=False)
    monkeypatch.setenv("PATH", f"{sent}{os.pathsep}{os.environ['PATH']}")
    result = run("remind", "morning", "--notify")
    assert result.exit_code == 1 and result.stderr == ""
    assert (sent / "args").read_text().splitlines()[-1] == "Last night's sleep is not logged yet"

    broken = _fake_notify_send(tmp_path / "broken", fails=True)
    monkeypatch.setenv("PATH", f"{broken}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("DISPLAY", raising=False)
    result = run("remind", "morning", "--notify")
    assert result.exit_code == 1 and result.stdout == "Last night's sleep is not logged yet\n"
    assert result.stderr.startswith("magsleep: no desktop notification here (Cannot autolaunch")
    assert result.stderr.count("\n") == 1

    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    result = run("remind", "morning", "--notify")
    assert result.exit_code == 1 and "notify-send is not installed" in result.stderr


def test_the_real_notify_send_without_a_display_is_one_line(run, opened, monkeypatch):
    """Debian's notify-send with no display and no session bus: a message, never a failure."""
    import shutil

    import pytest

    if shutil.which("notify-send") is None:
        pytest.skip("notify-send (libnotify-bin) is not installed")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/nonexistent")
    result = run("remind", "evening", "--notify")
    assert result.exit_code == 1 and result.stdout.startswith("Tonight: ")
    assert result.stderr.startswith("magsleep: no desktop notification") and result.stderr.count("\n") == 1


def test_wording_in_one_place():
    assert (trial_night_wording("on"), trial_night_wording("off"), trial_night_wording("baseline")) == (
        "magnesium", "no magnesium", "no magnesium")
    night = night_of(local_time.now())
    assert evening_left(EveningState(night, ((TAKE_MAGNESIUM, True), ("Tea", True)))) is None
    assert evening_left(EveningState(night, ())) is None
    assert evening_left(EveningState(night, ((TAKE_MAGNESIUM, False),), "off")) == (
        "Tonight: no magnesium tonight (trial) not ticked, 1 of 1 item left")
    assert morning_left(True) is None


def test_a_reminder_loads_neither_textual_nor_sqlalchemy_nor_aiohttp(opened):
    """Run by cron every day: plain read-only sqlite3, like `magsleep status`."""
    import ast
    import subprocess
    import sys

    code = ("import sys\nfrom magsleep.__main__ import main\nsys.argv = ['magsleep', '--db', "
            f"{str(opened)!r}, 'remind', 'morning']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'sqlalchemy', 'sqlmodel', "
            "'aiohttp', 'textual_serve'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert ast.literal_eval(done.stdout.strip().splitlines()[-1]) == []  # our own child's printed list
