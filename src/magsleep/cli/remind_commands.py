"""`magsleep remind` (one-shot reminders, and the timers that run them) and `magsleep calendar`.

A reminder reads the database read-only and says one line only when something is left (exit 1),
nothing when all is done (exit 0): cron and systemd can run it every day without nagging.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import time, timedelta
from pathlib import Path

import click

from magsleep import local_time, store
from magsleep.cli.group import cli, db_path, fail
from magsleep.domain import ical, timers
from magsleep.domain.parsing import parse_clock
from magsleep.domain.reminders import WHICH, evening_left, morning_left, trial_night_wording
from magsleep.domain.settings import Settings
from magsleep.domain.text_safety import visible
from magsleep.store import errors

NOTIFY_TIMEOUT_S = 10


@cli.group()
def remind() -> None:
    """Reminders for cron or a systemd timer: quiet when done, one line when something is left."""


def _state(ctx: click.Context) -> store.reminders.ReminderState:
    return store.reminders.read_reminder_state(db_path(ctx), local_time.now())


def _say(text: str | None, notify: bool) -> None:
    """Print what is left (exit 1) or nothing (exit 0); with `notify`, also as a desktop notification."""
    if text is None:
        sys.exit(0)
    click.echo(visible(text))
    if notify:
        problem = send_notification(text)
        if problem:
            click.echo(f"magsleep: {problem}", err=True)
    sys.exit(1)


def send_notification(text: str) -> str | None:
    """Send `text` through notify-send; None when sent, else one line saying why not (a missing
    display or session bus is a message, never a failure)."""
    exe = shutil.which("notify-send")
    if exe is None:
        return "no desktop notification: notify-send is not installed (Debian: libnotify-bin)"
    try:
        done = subprocess.run([exe, "--app-name=magsleep", "magsleep", text], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=NOTIFY_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return "no desktop notification: notify-send did not answer"
    except OSError as err:
        return f"no desktop notification: {err.strerror or err}"
    if done.returncode != 0:
        why = next((line.strip() for line in done.stderr.splitlines() if line.strip()), "notify-send failed")
        return f"no desktop notification here ({visible(why)[:120]})"
    return None


@remind.command()
@click.option("--notify", is_flag=True, help="Also send a desktop notification (notify-send).")
@click.pass_context
def evening(ctx: click.Context, notify: bool) -> None:
    """Tonight: the dose (or, on a trial's no-magnesium night, keeping off it) and the checklist."""
    _say(evening_left(_state(ctx).evening), notify)


@remind.command()
@click.option("--notify", is_flag=True, help="Also send a desktop notification (notify-send).")
@click.pass_context
def morning(ctx: click.Context, notify: bool) -> None:
    """This morning: last night's sleep diary."""
    _say(morning_left(_state(ctx).last_night_logged), notify)


def _settings(ctx: click.Context) -> Settings:
    """The stored settings, or the defaults before there is a database."""
    try:
        return _state(ctx).settings
    except errors.NotMagsleep:
        raise
    except errors.StoreError:
        return Settings()


def unit_dir() -> Path:
    """Where systemd looks for a user's own units: $XDG_CONFIG_HOME/systemd/user (systemd's rule)."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user"


def _argv(ctx: click.Context, which: str) -> list[str]:
    """The reminder's command line, by absolute paths (a timer has no PATH or working folder)."""
    return [sys.executable, "-m", "magsleep", "--db", str(db_path(ctx).absolute()), "remind", which, "--notify"]


def _ours(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.readline().rstrip("\n") == timers.MARK
    except OSError:
        return False


@remind.command()
@click.argument("which", type=click.Choice(WHICH))
@click.argument("at", metavar="[HH:MM]", required=False)
@click.option("--morning", "morning_at", metavar="HH:MM", help="Also a morning reminder at this time.")
@click.option("--cron", is_flag=True, help="Print crontab lines instead of writing systemd units.")
@click.pass_context
def install(ctx: click.Context, which: str, at: str | None, morning_at: str | None, cron: bool) -> None:
    """A daily systemd user timer (or crontab line) for WHICH reminder at HH:MM (default: Settings)."""
    if morning_at is not None and which == "morning":
        fail("--morning goes with 'install evening'; for the morning alone: magsleep remind install morning HH:MM")
    times: dict[str, time] = {}
    stored = _settings(ctx) if at is None else None
    times[which] = parse_clock(at, "time") if at is not None else getattr(stored, f"{which}_reminder")
    if morning_at is not None:
        times["morning"] = parse_clock(morning_at, "--morning")
    if cron:
        for name, when in times.items():
            click.echo(timers.cron_line(name, when, _argv(ctx, name)))
        return
    folder = unit_dir()
    files = {folder / f"{timers.unit_name(name)}.{kind}": text for name, when in times.items()
             for kind, text in (("service", timers.service_text(name, _argv(ctx, name))),
                                ("timer", timers.timer_text(name, when)))}
    for path in files:  # every file checked before any is written
        if (path.exists() or path.is_symlink()) and not _ours(path):
            fail(f"{path} exists and was not written by magsleep; it is left as it is (move it away first)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
    except OSError as err:
        fail(f"cannot write in {folder}: {err.strerror or err}")
    click.echo(f"Wrote {len(files)} files in {folder}. Enable them with:", err=True)
    click.echo(timers.enable_command(list(times)))


@remind.command()
def uninstall() -> None:
    """Remove the timers `remind install` wrote (nothing else)."""
    folder = unit_dir()
    removed = []
    for name in WHICH:
        for kind in ("timer", "service"):
            path = folder / f"{timers.unit_name(name)}.{kind}"
            if path.is_file() and not path.is_symlink() and _ours(path):
                try:
                    path.unlink()
                except OSError as err:
                    fail(f"cannot remove {path}: {err.strerror or err}")
                removed.append(path)
    # `systemctl enable` links the timer into timers.target.wants: a link to a file just removed
    # would dangle, so it goes too (only a link pointing at one of ours).
    wants = folder / "timers.target.wants"
    for path in removed:
        link = wants / path.name
        if link.is_symlink() and Path(os.readlink(link)).name == path.name and not link.exists():
            link.unlink()
    if not removed:
        click.echo(f"No magsleep timers in {folder}; nothing removed.")
        return
    names = " ".join(p.name for p in removed if p.suffix == ".timer")
    click.echo(f"Removed {len(removed)} files from {folder}.", err=True)
    if names:
        click.echo(f"systemctl --user stop {names}; systemctl --user daemon-reload")


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The .ics file to write (default: stdout).")
@click.pass_context
def calendar(ctx: click.Context, output: Path | None) -> None:
    """An iCalendar file: the daily evening and morning reminders, and each night of a running trial."""
    now = local_time.now()
    state = _state(ctx)
    where = str(db_path(ctx).absolute())
    events: list[ical.DailyEvent | ical.DayEvent] = [
        ical.DailyEvent(ical.uid_for(where, "evening"), "magsleep: tonight's check-in",
                        "Tonight's dose and checklist (magsleep remind evening says what is left).",
                        now.date(), state.settings.evening_reminder),
        ical.DailyEvent(ical.uid_for(where, "morning"), "magsleep: log last night's sleep",
                        "Last night's sleep diary (magsleep sleep, or l on the dashboard).",
                        now.date(), state.settings.morning_reminder),
    ]
    if state.plan is not None:
        plan = state.plan
        for entry in plan.schedule():
            night, phase = entry.night, entry.phase
            where_in = "baseline" if entry.pair is None else f"pair {entry.pair} of {plan.pairs}"
            events.append(ical.DayEvent(
                ical.uid_for(plan.fingerprint, night.isoformat()), f"Trial: {trial_night_wording(phase)}",
                f"magsleep randomised trial, {where_in}, night of {night.isoformat()} "
                f"(to {(night + timedelta(days=1)).isoformat()}).", night))
    text = ical.calendar_text(events, now=now)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_bytes(text.encode("utf-8"))
    except OSError as err:
        fail(f"cannot write {output}: {err.strerror or err}")
    click.echo(f"Calendar written to {output} ({len(events)} events).", err=True)
