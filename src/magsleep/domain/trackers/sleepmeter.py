"""Sleepmeter (Android) CSV history.

Custom aid, hindrance and tag sections (a header, rows, a blank line) may come before the main
header ``wake,sleep,bedtime,holes,type,dreams,aid,hindrances,tags,quality,notes``. Times carry
their UTC offset (``2020-11-24 08:24+0000``). Mapping: ``bedtime`` is in bed and tried to sleep,
``sleep`` the onset (latency is the difference), ``wake`` the final awakening; ``holes`` are
``start-end`` minutes after onset, ``|``-separated (awakenings and minutes awake; none is a real
0); ``quality`` 0-10 becomes 1-5; ``type`` NAP is not a night. Sleepmeter has no out-of-bed time.
Line numbers are the file's own (quoted newlines and the custom sections counted).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from magsleep.domain.errors import InvalidInput
from magsleep.domain.import_file import ImportFailed
from magsleep.domain.text_safety import visible
from magsleep.domain.trackers.night import Collector, TrackerFile

MAIN_HEADER = ["wake", "sleep", "bedtime", "holes", "type", "dreams", "aid", "hindrances", "tags", "quality", "notes"]
SECTION_HEADERS = ("custom_aid_id", "custom_hindrance_id", "custom_tag_id")


def looks_like(head: str) -> bool:
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip()
    return first == ",".join(MAIN_HEADER) or first.split(",", 1)[0] in SECTION_HEADERS


HEADERS = {"custom_aid_id,class,name": "aid", "custom_hindrance_id,class,name": "hindrance",
           "custom_tag_id,name": "tag", ",".join(MAIN_HEADER): "main"}
_HEADER_LINE = re.compile("^(" + "|".join(re.escape(h) for h in HEADERS) + ")\r?$", re.M)
_CUSTOM_ROW = re.compile(r"^CUSTOM_\w+,", re.M)
# A record starts a line with three short quoted cells (its times), even malformed ones, so a
# bad time is named on its own line instead of swallowed into the note before it.
_RECORD = re.compile(r'^"[^"\n]{0,40}","[^"\n]{0,40}","[^"\n]{0,40}",', re.M)


def parse(text: str, *, latest: date | None, rollover_hour: int) -> TrackerFile:
    """Every sleep in a Sleepmeter file; raises ImportFailed naming each bad line.

    Not a CSV reader: Sleepmeter quotes names and notes without escaping the quotes, commas and
    newlines inside them, so a record is found by the quoted times that start it, and the note
    is everything from its opening quote to the quote before the next record.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    headers = list(_HEADER_LINE.finditer(text))
    if not headers or text[:headers[0].start()].strip():
        raise ImportFailed(["line 1: expected the Sleepmeter header (wake,sleep,bedtime,...)"])
    if HEADERS[headers[-1].group(1)] != "main":
        raise ImportFailed(["the file has no Sleepmeter diary header (wake,sleep,bedtime,...)"])
    custom: dict[str, dict[str, str]] = {"aid": {}, "hindrance": {}, "tag": {}}
    collect = Collector("sleepmeter", latest, rollover_hour)
    for index, header in enumerate(headers):
        kind = HEADERS[header.group(1)]
        body_start = header.end() + 1
        body_end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        if kind != "main":
            fields = 2 if kind == "tag" else 3
            rows = list(_CUSTOM_ROW.finditer(text, body_start, body_end))
            for row, following in zip(rows, [*rows[1:], None]):
                chunk = text[row.start():following.start() if following else body_end].rstrip("\n")
                parts = chunk.split(",", fields - 1)
                custom[kind][parts[0]] = _unquote(parts[-1])
            continue
        records = list(_RECORD.finditer(text, body_start, body_end))
        stray = text[body_start:records[0].start() if records else body_end]
        if stray.strip():
            line = text.count("\n", 0, body_start + len(stray) - len(stray.lstrip())) + 1
            raise ImportFailed([f"line {line}: expected a record starting with its quoted wake time"])
        for record, following in zip(records, [*records[1:], None]):
            line = text.count("\n", 0, record.start()) + 1
            chunk = text[record.start():following.start() if following else body_end].rstrip("\n")
            try:
                _record(collect, line, chunk.split(",", len(MAIN_HEADER) - 1), custom)
            except InvalidInput as err:
                collect.problem(f"line {line}", err)
    return collect.finish()


def _unquote(cell: str) -> str:
    """A quoted, unescaped Sleepmeter value without its outer quotes."""
    cell = cell.strip("\n")
    return cell[1:-1] if len(cell) >= 2 and cell[0] == cell[-1] == '"' else cell


_MOMENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d[+-]\d{4}")


def _moment(text: str, field: str) -> datetime:
    try:
        if not _MOMENT.fullmatch(text.strip()):
            raise ValueError
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(field, f"{visible(text[:30])!r} is not a time like 2020-11-24 08:24+0000") from None


def _holes(text: str) -> tuple[int, int]:
    """Awakenings and minutes awake from ``start-end|start-end`` (minutes after onset)."""
    count = minutes = 0
    for hole in filter(None, text.split("|")):
        start, sep, end = hole.partition("-")
        if not (sep and start.strip().isdigit() and end.strip().isdigit()) or int(end) < int(start):
            raise InvalidInput("holes", f"{visible(hole[:20])!r} is not start-end minutes after falling asleep")
        count += 1
        minutes += int(end) - int(start)
    return count, minutes


def _record(collect: Collector, line: int, row: list[str], custom: dict[str, dict[str, str]]) -> None:
    if len(row) != len(MAIN_HEADER):
        raise InvalidInput("row", f"has {len(row)} cells; the header has {len(MAIN_HEADER)}")
    cell = dict(zip(MAIN_HEADER, row))
    cell["notes"] = _unquote(cell["notes"])
    wake, onset, bed = (_moment(_unquote(cell[key]), key) for key in ("wake", "sleep", "bedtime"))
    awakenings, waso = _holes(cell["holes"])
    if cell["type"] not in ("NIGHT_SLEEP", "NAP"):
        raise InvalidInput("type", f"{visible(cell['type'][:20])!r} is neither NIGHT_SLEEP nor NAP")
    quality: int | None = None
    if cell["quality"].strip():
        if not cell["quality"].strip().isdigit() or not 0 <= int(cell["quality"]) <= 10:
            raise InvalidInput("quality", f"{visible(cell['quality'][:10])!r} is not 0-10")
        quality = 1 + round(int(cell["quality"]) * 4 / 10)  # 0-10 onto the diary's 1-5
    words = [custom["aid"].get(a, a) for a in cell["aid"].split("|")] + \
        [custom["tag"].get(t, t) for t in cell["tags"].split("|")]
    magnesium = any("magnesium" in w.lower() for w in words)
    collect.add(f"line {line}", onset.isoformat(), bed=bed, tried=bed, onset=onset, awakenings=awakenings,
                waso_min=waso, final=wake, up=None, quality=quality, nap=cell["type"] == "NAP",
                magnesium=magnesium, note=cell["notes"] or None)
