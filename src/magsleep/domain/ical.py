"""A small iCalendar (RFC 5545) writer: the few lines magsleep's calendar needs, written right.

Text values are escaped (backslash, semicolon, comma, newline: section 3.3.11), lines end in CRLF
and are folded at 75 octets without splitting a UTF-8 character (section 3.1). The reminder events
are in floating local time (no TZID: 21:30 wherever the person is) and repeat daily; trial nights
are all-day events (VALUE=DATE).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

PRODID = "-//magsleep//magsleep calendar//EN"
FOLD_AT = 75


def escape_text(text: str) -> str:
    """A TEXT value: backslash first, then ; , and newlines; other control characters dropped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(ch for ch in text if ch >= " " or ch == "\t")


def fold(line: str) -> str:
    """One content line folded at 75 octets (continuations start with a space), CRLF-ended."""
    out: list[str] = []
    current, size, limit = "", 0, FOLD_AT
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, FOLD_AT - 1  # the leading space counts
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out) + "\r\n"


@dataclass(frozen=True)
class DailyEvent:
    """An event every day at `at` (floating local time) with a display alarm at the start."""

    uid: str
    summary: str
    description: str
    first_day: date
    at: time


@dataclass(frozen=True)
class DayEvent:
    """An all-day event on one date."""

    uid: str
    summary: str
    description: str
    day: date


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uid_for(*parts: str) -> str:
    """A stable UID: the same event gets the same UID in every export, so a re-import updates it."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24] + "@magsleep.invalid"


def calendar_text(events: list[DailyEvent | DayEvent], *, now: datetime) -> str:
    """The whole VCALENDAR; `now` (aware) is every event's DTSTAMP."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_stamp(now)}"]
        if isinstance(event, DailyEvent):
            start = datetime.combine(event.first_day, event.at)
            lines += [f"DTSTART:{start:%Y%m%dT%H%M%S}", "DURATION:PT15M", "RRULE:FREQ=DAILY"]
        else:
            lines += [f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}", "TRANSP:TRANSPARENT"]
        lines += [f"SUMMARY:{escape_text(event.summary)}", f"DESCRIPTION:{escape_text(event.description)}"]
        if isinstance(event, DailyEvent):
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:PT0M",
                      f"DESCRIPTION:{escape_text(event.summary)}", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
