"""Which night a moment belongs to.

A night is named by the evening's date. A moment belongs to the night of
``(moment - rollover).date()`` on the local wall clock, with a 12-hour rollover by default:
a dose at 01:30 on the 25th and a diary written at 07:00 on the 25th both belong to the
night of the 24th.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

DEFAULT_ROLLOVER_HOUR = 12


def week_of(day: date) -> date:
    """The Monday of `day`'s week (weeks of nights run Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def night_of(moment: datetime, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> date:
    """The night (evening date) that a local wall-clock moment belongs to."""
    if not 0 <= rollover_hour <= 23:
        raise ValueError(f"rollover hour must be 0..23, got {rollover_hour}")
    return (moment.replace(tzinfo=None) - timedelta(hours=rollover_hour)).date()


def last_night(now: datetime, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> date:
    """The night a morning diary written at `now` is about.

    Before the rollover this is the current night; after it (the afternoon and evening), the
    night that ended this morning, which is the one before the current night.
    """
    return min(night_of(now, rollover_hour), now.date() - timedelta(days=1))


def attach_zone(naive: datetime, tz: tzinfo) -> datetime:
    """Attach `tz`; a wall time skipped by spring-forward is moved on by the gap (as clocks do)."""
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz)
