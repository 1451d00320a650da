"""Plees Tracker CSV: ``sid,start,stop,rating[,comment,wakes]``.

``start``/``stop`` are epoch milliseconds with no zone (the zone is the person's: ``--tz`` or the
local one). Plees records no latency and no minutes awake (``wakes`` is a count, so awakenings
are known when it is there); the start is in bed and tried to sleep, the stop the final
awakening; no out-of-bed time. ``rating`` 1-5 is the quality (0: not rated, unknown).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, tzinfo

from magsleep.domain.errors import InvalidInput
from magsleep.domain.import_file import ImportFailed
from magsleep.domain.text_safety import visible
from magsleep.domain.trackers.night import Collector, TrackerFile

REQUIRED = ("sid", "start", "stop", "rating")


def looks_like(head: str) -> bool:
    return head.lstrip("\ufeff").split("\n", 1)[0].strip().startswith("sid,start,stop,rating")


def epoch_ms(text: str, field: str, tz: tzinfo) -> datetime:
    """A moment from epoch milliseconds, in `tz`."""
    try:
        return datetime.fromtimestamp(int(text.strip()) / 1000, tz)
    except (ValueError, OverflowError, OSError):
        raise InvalidInput(field, f"{visible(text[:20])!r} is not a time in epoch milliseconds") from None


def parse(text: str, *, tz: tzinfo, latest: date | None, rollover_hour: int) -> TrackerFile:
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    if not set(REQUIRED) <= set(reader.fieldnames or ()):
        raise ImportFailed(["line 1: the Plees Tracker header needs sid,start,stop,rating"])
    collect = Collector("plees", latest, rollover_hour)
    previous = 1
    try:
        for row in reader:
            line, previous = previous + 1, reader.line_num
            where = f"line {line}"
            try:
                if None in row:
                    raise InvalidInput("row", "has more cells than the header")
                start, stop = epoch_ms(row["start"] or "", "start", tz), epoch_ms(row["stop"] or "", "stop", tz)
                rating = (row["rating"] or "0").strip()
                if rating not in ("0", "1", "2", "3", "4", "5"):
                    raise InvalidInput("rating", f"{visible(rating[:10])!r} is not 0-5")
                wakes = (row.get("wakes") or "").strip()
                if wakes and not wakes.isdigit():
                    raise InvalidInput("wakes", f"{visible(wakes[:10])!r} is not a count")
                comment = row.get("comment") or None
                collect.add(where, (row["sid"] or "").strip() or row["start"], bed=start, tried=start,
                            awakenings=int(wakes) if wakes else None, final=stop, up=None,
                            quality=int(rating) or None, note=comment,
                            magnesium="magnesium" in (comment or "").lower())
            except InvalidInput as err:
                collect.problem(where, err)
    except csv.Error as err:
        raise ImportFailed([f"line {reader.line_num}: {err}"]) from None
    return collect.finish()
