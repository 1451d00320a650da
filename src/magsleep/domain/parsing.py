"""Turn text a person typed into checked values, or an `InvalidInput` that says what is wrong.

The command line and the app both parse through here, so a field accepts the same things
everywhere.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, tzinfo

from magsleep.domain.errors import InvalidInput
from magsleep.domain.nights import attach_zone
from magsleep.domain.text_safety import visible, without_controls

_CLOCK = re.compile(r"^\s*(\d{1,2})[:.h]?(\d{2})\s*$")  # 23:15, 23.15, 23h15, 2315, 915


def parse_clock(text: str | None, field: str) -> time:
    """Parse ``HH:MM`` (24-hour; ``23.30``, ``23h30`` and ``2330`` also accepted)."""
    if text is None or not str(text).strip():
        raise InvalidInput(field, "is required (HH:MM, e.g. 23:15)")
    match = _CLOCK.match(str(text))
    if not match:
        raise InvalidInput(field, f"{_show(text)} is not a time; use HH:MM, e.g. 23:15")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise InvalidInput(field, f"{_show(text)} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


EARLIEST_DATE = date(2000, 1, 1)
"""No date before this is accepted anywhere (typed, on the command line or imported): earlier
ones are typos (0001-01-01, 1900-01-01) that would throw every computation off."""


def check_date(value: date, field: str, *, latest: date | None = None) -> date:
    """`value` if it lies between EARLIEST_DATE and `latest` (when given), else InvalidInput."""
    if value < EARLIEST_DATE:
        raise InvalidInput(field, f"{value.isoformat()} is too early; dates start at {EARLIEST_DATE.isoformat()}")
    if latest is not None and value > latest:
        raise InvalidInput(field, f"{value.isoformat()} is in the future (latest {latest.isoformat()})")
    return value


def parse_date(text: str | None, field: str, *, latest: date | None = None) -> date:
    """Parse an ISO date, ``YYYY-MM-DD``, from EARLIEST_DATE to `latest`."""
    if text is None or not str(text).strip():
        raise InvalidInput(field, "is required (YYYY-MM-DD)")
    try:
        value = date.fromisoformat(str(text).strip())
    except ValueError:
        raise InvalidInput(field, f"{_show(text)} is not a date; use YYYY-MM-DD") from None
    return check_date(value, field, latest=latest)


def iso_moment(value: object, field: str, *, kind: str = "an ISO date-time", example: str = "") -> datetime:
    """An ISO 8601 date-time from a file or a stored value (offset or not: callers decide); InvalidInput
    naming `field` and the `kind` wanted (with an `example`) when it is not a string or not one."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be {kind}{example}")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{visible(value[:30])!r} is not {kind}") from None


def parse_moment(text: str, field: str, *, today: date, zone: tzinfo | None = None) -> datetime:
    """Parse ``HH:MM`` (on `today`) or an ISO date-time from EARLIEST_DATE on.

    With `zone` (the person's), the result is in that zone: a moment typed with another offset
    (``2026-11-30T01:00+13:00``) is the same instant on the local clock, so it lands on the night
    of its instant, not of its digits. Without it the result is naive unless an offset was given.
    """
    if text is None or not str(text).strip():
        raise InvalidInput(field, "is required (HH:MM or YYYY-MM-DDTHH:MM)")
    raw = str(text).strip()
    if _CLOCK.match(raw):
        moment = datetime.combine(today, parse_clock(raw, field))
    else:
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(
                field, f"{_show(text)} is not a time; use HH:MM or YYYY-MM-DDTHH:MM"
            ) from None
    check_date(moment.date(), field)
    if zone is not None:
        try:
            moment = attach_zone(moment, zone) if moment.tzinfo is None else moment.astimezone(zone)
        except OverflowError:  # 9999-12-31T23:00-12:00 is in year 10000 here
            raise InvalidInput(field, f"{_show(text)} is out of range") from None
        check_date(moment.date(), field)
    return moment


def parse_number(
    text: str | float | int | None,
    field: str,
    *,
    minimum: float,
    maximum: float,
    allow_minimum: bool = True,
    unit: str = "",
) -> float:
    """Parse a finite number within [minimum, maximum] (or (minimum, maximum] when not allow_minimum)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        raise InvalidInput(field, "is required")
    if isinstance(text, bool):
        raise InvalidInput(field, f"{_show(text)} is not a number")
    if isinstance(text, (int, float)):
        try:
            value = float(text)
        except OverflowError:  # an integer too large for a float, e.g. 10**400 from a file
            raise InvalidInput(field, f"must be at most {_fmt(maximum)}") from None
    else:
        try:
            value = float(str(text).strip().replace(",", "."))
        except ValueError:
            raise InvalidInput(field, f"{_show(text)} is not a number") from None
        except OverflowError:
            raise InvalidInput(field, f"must be at most {_fmt(maximum)}") from None
    if not math.isfinite(value):
        raise InvalidInput(field, f"{_show(text)} is not a number")
    suffix = f" {unit}" if unit else ""
    if value < minimum or (value == minimum and not allow_minimum):
        bound = "at least" if allow_minimum else "more than"
        raise InvalidInput(field, f"must be {bound} {_fmt(minimum)}{suffix}")
    if value > maximum:
        raise InvalidInput(field, f"must be at most {_fmt(maximum)}{suffix}")
    return value


def parse_int(
    text: str | int | None, field: str, *, minimum: int, maximum: int, unit: str = ""
) -> int:
    """Parse a whole number within [minimum, maximum]."""
    value = parse_number(text, field, minimum=minimum, maximum=maximum, unit=unit)
    if value != int(value):
        raise InvalidInput(field, f"{_show(text)} must be a whole number")
    return int(value)


def _fmt(number: float) -> str:
    return f"{number:g}"


def _show(text: object) -> str:
    """Quote what was typed, shortened so a pasted novel does not fill the screen."""
    shown = str(text)
    if len(shown) > 24:
        shown = shown[:21] + "..."
    return repr(shown)


MAX_NOTE = 2000


def clean_note(text: str | None, field: str = "note") -> str | None:
    """Free text: trimmed, control characters other than newlines dropped, at most 2,000 characters."""
    if text is None:
        return None
    cleaned = without_controls(str(text), keep_newlines=True).strip()
    if len(cleaned) > MAX_NOTE:
        raise InvalidInput(field, f"is {len(cleaned)} characters; at most {MAX_NOTE}")
    return cleaned or None
