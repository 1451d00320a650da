"""The text of the systemd user timers and services (and the crontab lines) that run the reminders.

Every file starts with MARK: `remind install` overwrites only files that carry it, and `remind
uninstall` removes only those. Arguments are quoted for systemd's own command-line syntax (double
quotes, backslash escapes; `%` is a specifier and `$` a variable there, so both are doubled:
systemd.service(5), "Command lines"), and for cron, whose command is run by /bin/sh and where an
unescaped `%` ends the command (crontab(5)).
"""

from __future__ import annotations

import shlex
from datetime import time

from magsleep.domain.errors import InvalidInput

MARK = "# Written by `magsleep remind install`; `magsleep remind uninstall` removes it."


def unit_name(which: str) -> str:
    return f"magsleep-{which}"


def _plain(arg: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in arg):
        raise InvalidInput("path", f"{arg!r} holds a control character; a timer cannot run it")
    return arg


def systemd_quote(arg: str) -> str:
    """One argument for ExecStart=."""
    text = _plain(arg).replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{text}"'


def service_text(which: str, argv: list[str]) -> str:
    """A oneshot service running `argv` (absolute paths): the reminder for `which`."""
    command = " ".join(systemd_quote(a) for a in argv)
    return (f"{MARK}\n[Unit]\nDescription=magsleep {which} reminder\n\n"
            f"[Service]\nType=oneshot\nExecStart={command}\n"
            # The reminder exits 1 when something is left: that is its answer, not a failure.
            "SuccessExitStatus=1\n")


def timer_text(which: str, at: time) -> str:
    """A daily timer at `at` (local time); Persistent=true runs a reminder missed while asleep or off."""
    return (f"{MARK}\n[Unit]\nDescription=magsleep {which} reminder at {at:%H:%M}\n\n"
            f"[Timer]\nOnCalendar=*-*-* {at:%H:%M}:00\nPersistent=true\nUnit={unit_name(which)}.service\n\n"
            "[Install]\nWantedBy=timers.target\n")


def cron_line(which: str, at: time, argv: list[str]) -> str:
    """One crontab line running `argv` daily at `at`."""
    command = " ".join(shlex.quote(_plain(a)) for a in argv).replace("%", "\\%")
    return f"{at.minute} {at.hour} * * * {command}"


def enable_command(which: list[str]) -> str:
    """The one command that loads the timers and starts them."""
    timers = " ".join(f"{unit_name(w)}.timer" for w in which)
    return f"systemctl --user daemon-reload && systemctl --user enable --now {timers}"
