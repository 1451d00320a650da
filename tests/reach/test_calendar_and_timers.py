"""`magsleep calendar` (read back by the icalendar package) and `remind install/uninstall/--cron`."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, date, datetime, time

import icalendar
import pytest

from magsleep.domain import ical, timers
from magsleep.domain.errors import InvalidInput


def events(path) -> list:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return [c for c in cal.walk() if c.name == "VEVENT"]


def test_calendar_has_daily_reminders_at_the_settings_times(run, opened, tmp_path):
    out = tmp_path / "magsleep.ics"
    result = run("calendar", "-o", str(out))
    assert result.exit_code == 0 and "2 events" in result.stderr
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # every line ends in CRLF
    daily = events(out)
    starts = sorted(e.decoded("DTSTART").time() for e in daily)
    assert starts == [time(7, 30), time(21, 30)]
    for e in daily:
        assert e.decoded("DTSTART").tzinfo is None  # floating local time
        assert e["RRULE"]["FREQ"] == ["DAILY"]
        alarm = next(c for c in e.walk() if c.name == "VALARM")
        assert alarm["ACTION"] == "DISPLAY"

    from magsleep.store.engine import Store
    from magsleep.store.settings import save_setting

    store = Store.open(opened)
    with store.writing() as s:
        save_setting("evening_reminder", "22.15", session=s)
        save_setting("morning_reminder", "0645", session=s)
    store.close()
    run("calendar", "-o", str(out))
    assert sorted(e.decoded("DTSTART").time() for e in events(out)) == [time(6, 45), time(22, 15)]


def test_calendar_holds_each_night_of_a_running_trial(run, opened, tmp_path):
    assert run("trial", "start", "--baseline", "2", "--period", "4", "--pairs", "3", "--washout", "0").exit_code == 0
    plan = json.loads(run("trial", "status", "--json").stdout)
    out = tmp_path / "trial.ics"
    assert run("calendar", "-o", str(out)).exit_code == 0
    nights = {e.decoded("DTSTART"): str(e["SUMMARY"]) for e in events(out) if "RRULE" not in e}
    assert len(nights) == 2 + 2 * 3 * 4
    schedule = plan.get("schedule") or plan["plan"]["schedule"]
    for entry in schedule:
        wanted = "Trial: magnesium" if entry["phase"] == "on" else "Trial: no magnesium"
        assert nights[date.fromisoformat(entry["night"])] == wanted
    assert run("trial", "stop").exit_code == 0
    run("calendar", "-o", str(out))
    assert len(events(out)) == 2  # a stopped trial has no nights to keep


def test_text_is_escaped_and_long_lines_fold_without_splitting_characters():
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    summary = "Magnesium; glycinate, 200 mg\\ note\nnext line " + "é" * 80
    text = ical.calendar_text([ical.DayEvent("u1@x", summary, "a,b;c", date(2026, 12, 1))], now=now)
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    parsed = icalendar.Calendar.from_ical(text)
    event = next(c for c in parsed.walk() if c.name == "VEVENT")
    assert str(event["SUMMARY"]) == summary and str(event["DESCRIPTION"]) == "a,b;c"
    assert ical.escape_text("a\x1b[2Jb") == "a[2Jb"


def test_install_writes_marked_units_and_uninstall_removes_only_them(run, opened, _config_home, db_path):
    units = _config_home / "systemd" / "user"
    result = run("remind", "install", "evening", "21:30", "--morning", "07:30")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("systemctl --user daemon-reload && systemctl --user enable --now "
                             "magsleep-evening.timer magsleep-morning.timer\n")
    written = sorted(p.name for p in units.iterdir())
    assert written == ["magsleep-evening.service", "magsleep-evening.timer", "magsleep-morning.service",
                       "magsleep-morning.timer"]
    timer = (units / "magsleep-evening.timer").read_text()
    assert "OnCalendar=*-*-* 21:30:00" in timer and "Persistent=true" in timer
    assert "OnCalendar=*-*-* 07:30:00" in (units / "magsleep-morning.timer").read_text()
    service = (units / "magsleep-evening.service").read_text()
    exec_line = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    argv = shlex.split(exec_line.removeprefix("ExecStart="))
    assert argv[0].startswith("/") and argv[1:3] == ["-m", "magsleep"]
    assert argv[3:] == ["--db", str(db_path.absolute()), "remind", "evening", "--notify"]
    # Reinstalling at another time rewrites its own files.
    assert run("remind", "install", "evening", "22:00").exit_code == 0
    assert "22:00:00" in (units / "magsleep-evening.timer").read_text()
    # A file someone else wrote is never overwritten, and nothing is written at all then.
    (units / "magsleep-morning.timer").write_text("[Timer]\nOnCalendar=daily\n")
    (units / "magsleep-evening.timer").unlink()
    result = run("remind", "install", "evening", "21:00", "--morning", "06:00")
    assert result.exit_code == 2 and "was not written by magsleep" in result.stderr
    assert not (units / "magsleep-evening.timer").exists()
    assert (units / "magsleep-morning.timer").read_text() == "[Timer]\nOnCalendar=daily\n"
    # Uninstall removes only what carries the mark (and a dangling enable link to it).
    wants = units / "timers.target.wants"
    wants.mkdir()
    (wants / "magsleep-morning.timer").symlink_to(units / "magsleep-morning.timer")
    (units / "other.timer").write_text("mine\n")
    result = run("remind", "uninstall")
    assert result.exit_code == 0
    assert sorted(p.name for p in units.iterdir()) == ["magsleep-morning.timer", "other.timer",
                                                       "timers.target.wants"]
    assert (wants / "magsleep-morning.timer").is_symlink()  # points at a file that is not ours
    assert "nothing removed" in run("remind", "uninstall").stdout


def test_install_times_are_checked_like_every_time(run, opened, _config_home):
    for bad, message in [("25:00", "is not a time of day"), ("soon", "is not a time")]:
        result = run("remind", "install", "evening", bad)
        assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1
        result = run("remind", "install", "evening", "21:00", "--morning", bad)
        assert result.exit_code == 2 and "--morning" in result.stderr
    assert not (_config_home / "systemd").exists()
    result = run("remind", "install", "morning", "07:00", "--morning", "08:00")
    assert result.exit_code == 2


def test_install_without_a_time_uses_the_setting_and_cron_prints_lines(run, opened, _config_home, db_path):
    from magsleep.store.engine import Store
    from magsleep.store.settings import save_setting

    store = Store.open(opened)
    with store.writing() as s:
        save_setting("evening_reminder", "20:45", session=s)
    store.close()
    result = run("remind", "install", "evening", "--cron", "--morning", "06:05")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("45 20 * * * /") and lines[0].endswith("remind evening --notify")
    assert lines[1].startswith("5 6 * * * /") and "remind morning --notify" in lines[1]
    assert not (_config_home / "systemd").exists()  # --cron writes nothing


def test_unit_text_quotes_what_systemd_and_cron_would_read_otherwise():
    argv = ["/usr/bin/python3", "-m", "magsleep", "--db", '/home/a b/100%$HOME"x".db']
    exec_start = timers.service_text("evening", argv).split("ExecStart=")[1].splitlines()[0]
    assert '"/home/a b/100%%$$HOME\\"x\\".db"' in exec_start
    line = timers.cron_line("evening", time(21, 30), argv)
    assert "100\\%" in line and "'/home/a b/" in line
    with pytest.raises(InvalidInput):
        timers.service_text("evening", ["/x\n[Service]"])
    assert timers.timer_text("morning", time(7, 5)).splitlines()[0] == timers.MARK


def test_systemd_reads_the_installed_units(tmp_path, _config_home):
    """systemd's own checker accepts what install wrote, for a database path with a space, % and $."""
    import shutil
    import subprocess
    import sys

    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    db = tmp_path / "a b%$c" / "m.db"
    from magsleep.store.engine import Store

    Store.open(db).close()
    done = subprocess.run([sys.executable, "-m", "magsleep", "--db", str(db), "remind", "install", "evening", "21:30",
                           "--morning", "07:30"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    units = _config_home / "systemd" / "user"
    for name in ("evening", "morning"):
        files = [f"./magsleep-{name}.timer", f"./magsleep-{name}.service"]
        checked = subprocess.run(["systemd-analyze", "verify", *files], cwd=units, capture_output=True, text=True,
                                 timeout=60)
        assert checked.returncode == 0 and checked.stderr == "", checked.stderr



def test_a_config_folder_that_cannot_be_made_is_one_line(run, tmp_path, monkeypatch):
    """(A file where the folder should be: refused the same way as a folder without write permission.)"""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocked))
    result = run("remind", "install", "evening", "21:30")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"magsleep: cannot write in {blocked}/systemd/user: ")
    assert result.stderr.count("\n") == 1 and blocked.read_text() == "a file, not a folder\n"
