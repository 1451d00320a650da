"""Sleep as Android backup: ``sleep-export.csv`` (alone or in its zip).

A header line comes before every record (the time columns differ per record). ``Id`` is the
start in epoch milliseconds, ``Hours`` the recorded length and ``Tz`` the zone: these are used,
not ``From``/``To`` (local strings with unpadded hours, ambiguous when clocks go back). The start
is in bed and tried to sleep, start + Hours the final awakening. ``LenAdjust`` mixes time to fall
asleep, pauses and time awake, so latency and minutes awake stay unknown; there is no
out-of-bed time. ``Rating`` 0.25-5 becomes the quality 1-5 (0: not rated). ``Comment`` holds
``#tags``; newlines are written `` \\n ``.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from magsleep.domain.errors import InvalidInput
from magsleep.domain.import_file import ImportFailed
from magsleep.domain.text_safety import visible
from magsleep.domain.trackers.night import Collector, TrackerFile, elapsed
from magsleep.domain.trackers.plees import epoch_ms

FIRST = ["Id", "Tz", "From", "To", "Sched", "Hours", "Rating", "Comment"]


def looks_like(head: str) -> bool:
    return head.lstrip("\ufeff").split("\n", 1)[0].startswith("Id,Tz,From,To")


def parse(text: str, *, latest: date | None, rollover_hour: int) -> TrackerFile:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    collect = Collector("sleep-as-android", latest, rollover_hour)
    header: list[str] | None = None
    previous = 0
    try:
        for row in reader:
            line, previous = previous + 1, reader.line_num
            if not row:
                continue
            if row[:len(FIRST)] == FIRST:
                header = row
                continue
            if header is None:
                raise ImportFailed([f"line {line}: expected the Sleep as Android header (Id,Tz,From,To,...)"])
            where = f"line {line} (record {visible(row[0][:20])})"
            try:
                _record(collect, where, dict(zip(header, row)))
            except InvalidInput as err:
                collect.problem(where, err)
    except csv.Error as err:
        raise ImportFailed([f"line {reader.line_num}: {err}"]) from None
    return collect.finish()


def _record(collect: Collector, where: str, cell: dict[str, str]) -> None:
    try:
        zone = ZoneInfo(cell.get("Tz", "").strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("Tz", f"{visible(cell.get('Tz', '')[:40])!r} is not a time zone") from None
    start = epoch_ms(cell.get("Id", ""), "Id", zone)
    try:
        hours = float(cell.get("Hours", ""))
        rating = float(cell.get("Rating", "0") or 0)
    except ValueError:
        raise InvalidInput("Hours", "Hours and Rating must be numbers") from None
    if not 0 <= hours <= 24:
        raise InvalidInput("Hours", f"{hours:g} hours is not a night's length")
    if not 0 <= rating <= 5:
        raise InvalidInput("Rating", f"{rating:g} is not 0-5")
    comment = cell.get("Comment", "").replace(" \\n ", "\n").strip()
    tags = {w.lstrip("#").lower() for w in comment.split() if w.startswith("#")}
    magnesium = any(t.startswith(("magnesium", "mg")) for t in tags) or "magnesium" in comment.lower()
    collect.add(where, cell["Id"].strip(), bed=start, tried=start, final=elapsed(start, hours * 60), up=None,
                quality=max(1, round(rating)) if rating else None, magnesium=magnesium, note=comment or None)
