"""Apple Health: ``export.xml`` (alone or inside ``export.zip``), read as a stream.

Only ``HKCategoryTypeIdentifierSleepAnalysis`` records are kept (a few numbers each), so a
gigabyte export costs little memory: expat reads the stream directly and hands over attributes,
with the file's own line numbers for messages (ElementTree's iterparse gives none). Values: InBed,
Awake, AsleepUnspecified/Core/Deep/REM and the old Asleep.

Several sources (a watch, a phone, another app) often record the same night. Per source, samples
less than 2 hours apart form one sleep; per night the source with the most asleep time is used,
and named as the file names it ("Apple Watch"). Mapping: in bed and tried to sleep are the
source's first InBed start (or its first sample, and then the latency is unknown), the onset its
first asleep sample, the final
awakening the end of its last asleep sample, out of bed the end of its InBed time (unknown
without InBed). Awakenings and minutes awake are the Awake samples between onset and final
awakening when the source records sleep stages (watchOS 9 on); with the old Asleep value alone
they are unknown. No quality rating.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO

from magsleep.domain.errors import InvalidInput
from magsleep.domain.import_file import ImportFailed, limited
from magsleep.domain.nights import night_of
from magsleep.domain.sleep_diary import minutes_between
from magsleep.domain.text_safety import visible
from magsleep.domain.trackers.night import MIN_NIGHT_MIN, Collector, TrackerFile

SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
PREFIX = "HKCategoryValueSleepAnalysis"
ASLEEP = {"Asleep", "AsleepUnspecified", "AsleepCore", "AsleepDeep", "AsleepREM"}
STAGES = ASLEEP - {"Asleep"}
KINDS = ASLEEP | {"InBed", "Awake"}
SESSION_GAP_MIN = 120


def looks_like(head: str) -> bool:
    return "<HealthData" in head or "<!DOCTYPE HealthData" in head


@dataclass(frozen=True)
class Sample:
    line: int
    kind: str
    start: datetime
    end: datetime


_MOMENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}")


def _moment(text: str | None, field: str) -> datetime:
    # fromisoformat after a strict shape check: strptime took most of a big export's time.
    try:
        if text is None or not _MOMENT.fullmatch(text):
            raise ValueError
        return datetime.fromisoformat(text[:19] + text[20:])
    except ValueError:
        raise InvalidInput(field, f"{visible((text or '')[:30])!r} is not a time like "
                                  "2024-03-09 23:10:00 +0100") from None


def read_samples(stream: IO[bytes]) -> tuple[dict[str, list[Sample]], list[str]]:
    """The sleep samples per source, streamed; problems name the line."""
    samples: dict[str, list[Sample]] = defaultdict(list)
    problems: list[str] = []
    parser = xml.parsers.expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag != "Record" or attrs.get("type") != SLEEP:
            return
        line = parser.CurrentLineNumber
        try:
            kind = attrs.get("value", "").removeprefix(PREFIX)
            if kind not in KINDS:
                raise InvalidInput("value", f"{visible(attrs.get('value', '')[:60])!r} is not a sleep value")
            begin, end = _moment(attrs.get("startDate"), "startDate"), _moment(attrs.get("endDate"), "endDate")
            if end < begin:
                raise InvalidInput("endDate", "is before startDate")
            samples[attrs.get("sourceName") or "unnamed source"].append(Sample(line, kind, begin, end))
        except InvalidInput as err:
            problems.append(f"line {line}, field {err.field}: {err.message}")

    parser.StartElementHandler = start
    try:
        parser.ParseFile(stream)
    except xml.parsers.expat.ExpatError as err:
        raise ImportFailed([f"line {err.lineno}, column {err.offset + 1}: not valid XML "
                            f"({xml.parsers.expat.ErrorString(err.code)})"]) from None
    return samples, problems


@dataclass(frozen=True)
class Session:
    source: str
    samples: tuple[Sample, ...]

    @property
    def asleep_min(self) -> int:
        return sum(minutes_between(s.start, s.end) for s in self.samples if s.kind in ASLEEP)


def sessions(samples: list[Sample]) -> list[list[Sample]]:
    """One source's samples cut into sleeps where nothing was recorded for 2 hours."""
    out: list[list[Sample]] = []
    last_end: datetime | None = None
    for s in sorted(samples, key=lambda s: (s.start.astimezone(UTC), s.end.astimezone(UTC))):
        if last_end is None or minutes_between(last_end, s.start) > SESSION_GAP_MIN:
            out.append([])
        out[-1].append(s)
        last_end = s.end if last_end is None or s.end > last_end else last_end
    return out


def parse(open_stream: Callable[[], IO[bytes]], *, latest: date | None, rollover_hour: int) -> TrackerFile:
    with open_stream() as stream:
        samples, problems = read_samples(stream)
    if problems:
        raise ImportFailed(limited(problems))
    collect = Collector("apple-health", latest, rollover_hour)
    nights: dict[date, list[Session]] = defaultdict(list)
    for source, found in samples.items():
        for part in sessions(found):
            asleep = [s for s in part if s.kind in ASLEEP]
            # A nap or a short sleep is counted here, before it could compete with a night's sources.
            if asleep and minutes_between(asleep[0].start, max(s.end for s in asleep)) < MIN_NIGHT_MIN:
                collect.found.too_short += 1
                continue
            nights[night_of(part[0].start, rollover_hour)].append(Session(source, tuple(part)))
    overlapping = 0
    for night in sorted(nights):
        candidates = nights[night]
        # The most asleep time; a tie goes to the longer record, then the name (same answer every time).
        chosen = max(candidates, key=lambda c: (c.asleep_min, _span(c), c.source))
        if len({c.source for c in candidates}) > 1:
            overlapping += 1
        collect.found.second_sleeps += sum(1 for c in candidates if c.source == chosen.source) - 1
        where = f"line {chosen.samples[0].line}"
        try:
            _night(collect, where, chosen)
        except InvalidInput as err:
            collect.problem(where, err)
    result = collect.finish()
    if overlapping:
        result.notes.append(f"{overlapping} night{'s' if overlapping != 1 else ''} recorded by more than one "
                           "source: each uses the source with the most time asleep")
    return result


def _span(session: Session) -> int:
    return minutes_between(min(s.start for s in session.samples), max(s.end for s in session.samples))


def _night(collect: Collector, where: str, session: Session) -> None:
    samples = session.samples
    in_bed = [s for s in samples if s.kind == "InBed"]
    asleep = [s for s in samples if s.kind in ASLEEP]
    bed = min((s.start for s in in_bed), default=None) or samples[0].start
    if not asleep:  # only time in bed (a phone): nothing says when sleep began or ended
        collect.found.too_short += 1
        return
    onset, final = asleep[0].start, max(s.end for s in asleep)
    up = max(s.end for s in in_bed) if in_bed else None
    awakenings = waso = None
    if any(s.kind in STAGES for s in samples):  # staged data records every awake spell
        inside = [s for s in samples if s.kind == "Awake" and s.start >= onset and s.end <= final]
        awakenings, waso = len(inside), sum(minutes_between(s.start, s.end) for s in inside)
    if up is not None and up < final:
        up = None  # in-bed time ended before the sleep did: out of bed is not known
    first = min(onset, bed)
    # Without InBed the first sample is already sleep: when the person lay down is not known, so
    # neither is the time it took to fall asleep (never a 0 by construction).
    collect.add(where, f"{session.source}|{first.astimezone(UTC).isoformat()}", bed=first, tried=first,
                onset=onset if in_bed else None,
                awakenings=awakenings, waso_min=waso, final=final, up=up, device=session.source,
                note=None)
