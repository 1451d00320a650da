"""The command line's clock, fixed for a test: results that hang on the time of day (before or
after the rollover hour, "last night" is a different night) must not hang on when the suite runs."""

from __future__ import annotations

from datetime import datetime

from magsleep import local_time

EVENING = datetime(2026, 11, 25, 21, 30)
"""An evening: tonight is 25 Nov, last night 24 Nov (with the default noon rollover)."""


def at(monkeypatch, moment: datetime) -> None:
    """The command line's clock (local_time.now) set to `moment`, in the test's zone."""
    monkeypatch.setattr(local_time, "now", lambda: moment.replace(tzinfo=local_time.local_zone()))
