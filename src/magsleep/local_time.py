"""The local clock and time zone, for the command line and the app (never the domain or store).

A real zone (not a fixed offset) is needed so a night across a daylight-saving change gets the
right offsets at bedtime and at waking.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_zone() -> tzinfo:
    """The zone from $TZ, else /etc/localtime, else the current fixed offset."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle)
    except (OSError, ValueError):
        return datetime.now().astimezone().tzinfo or UTC


def now() -> datetime:
    """The current moment, aware, in the local zone."""
    return datetime.now(local_zone())
