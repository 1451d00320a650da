"""The imported night shared by every tracker format, and the rules all formats follow.

Never invent: a part a tracker does not record stays None (unknown), never 0. A sleep is a night
only when it is not a nap and lasts 3 hours or more; the others are counted, not imported. The
night is the evening's date (`domain.nights.night_of` with the rollover hour) of the moment the
person went to bed (or tried to sleep).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from magsleep.domain.errors import InvalidInput
from magsleep.domain.nights import night_of
from magsleep.domain.parsing import check_date, clean_note
from magsleep.domain.sleep_diary import MAX_AWAKENINGS, MAX_LATENCY_MIN, MAX_NIGHT, minutes_between
from magsleep.domain.trend import PartialNight

MIN_NIGHT_MIN = 3 * 60
FORMAT_CHOICES = ("auto", "json", "csv", "sleepmeter", "plees", "sleep-as-android", "fitbit", "apple-health")
"""What `magsleep import --format` takes: auto (by content), magsleep's own, and each tracker."""
FORMAT_NAMES = {"sleepmeter": "Sleepmeter", "plees": "Plees Tracker", "sleep-as-android": "Sleep as Android",
                "fitbit": "Fitbit", "apple-health": "Apple Health", "json": "magsleep JSON", "csv": "magsleep CSV"}
DIARY_PARTS = ("bed", "tried", "latency_min", "awakenings", "waso_min", "final", "up", "quality")


def _check_counts(latency_min: int | None, awakenings: int | None, waso_min: int | None, length: int) -> None:
    """What a record counts must be possible: InvalidInput naming the field when not (unknown is fine)."""
    if latency_min is not None and not 0 <= latency_min <= MAX_LATENCY_MIN:
        raise InvalidInput("latency", f"{latency_min} minutes to fall asleep is not possible "
                                      f"(0 to {MAX_LATENCY_MIN})")
    if awakenings is not None and not 0 <= awakenings <= MAX_AWAKENINGS:
        raise InvalidInput("awakenings", f"{awakenings} awakenings is not possible (0 to {MAX_AWAKENINGS})")
    if waso_min is not None and not 0 <= waso_min <= length:
        raise InvalidInput("waso", f"{waso_min} minutes awake do not fit in a {length}-minute sleep")


@dataclass(frozen=True)
class TrackedNight:
    """One night as a tracker recorded it: None wherever the tracker has nothing."""

    source: str
    """The format it came from (a key of FORMAT_NAMES)."""
    source_id: str
    """The source's own id of the record, so a second import of it adds nothing."""
    where: str
    """Where it is in the file, for messages ("line 12", "record 1606738485202")."""
    night: date
    bed: datetime | None
    tried: datetime | None
    latency_min: int | None
    awakenings: int | None
    waso_min: int | None
    final: datetime | None
    up: datetime | None
    quality: int | None = None
    device: str | None = None
    """The device or app that recorded it, as the file names it (Apple Health: "Apple Watch")."""
    magnesium: bool = False
    """A tag or aid said magnesium: shown, but no dose is logged (a dose needs a form and amount)."""
    note: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """The diary parts the morning log still has to ask for."""
        return tuple(part for part in DIARY_PARTS if getattr(self, part) is None)

    def known_minutes(self) -> tuple[int | None, int | None, float | None]:
        """Time in bed, total sleep and efficiency as the trend will count them (`PartialNight`)."""
        return PartialNight(self.bed, self.tried, self.latency_min, self.waso_min, self.final, self.up,
                            self.quality).known_minutes()


@dataclass
class TrackerFile:
    """Everything a tracker file holds that can be imported, and what was left out."""

    fmt: str
    nights: list[TrackedNight] = field(default_factory=list)
    naps: int = 0
    too_short: int = 0
    second_sleeps: int = 0
    """Further sleeps on a night that already has a longer one (the longest is the night)."""
    sources: Counter[str] = field(default_factory=Counter)
    """Nights per source as shown ("Apple Health · Apple Watch")."""
    notes: list[str] = field(default_factory=list)
    """Lines worth showing in the preview (e.g. which source was picked)."""

    @property
    def skipped(self) -> int:
        return self.naps + self.too_short + self.second_sleeps


@dataclass
class Collector:
    """Gathers the nights of one file: problems (all of them, then refused together), the
    skipped sleeps, and one night per evening (the longest sleep)."""

    fmt: str
    latest: date | None
    rollover_hour: int
    problems: list[str] = field(default_factory=list)
    found: TrackerFile = field(init=False)
    _by_night: dict[date, tuple[int, TrackedNight]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.found = TrackerFile(self.fmt)

    def problem(self, where: str, err: InvalidInput) -> None:
        self.problems.append(f"{where}, field {err.field}: {err.message}")

    def add(self, where: str, source_id: str, *, bed: datetime | None, tried: datetime | None,
            onset: datetime | None = None, latency_min: int | None = None, awakenings: int | None = None,
            waso_min: int | None = None, final: datetime | None, up: datetime | None,
            quality: int | None = None, nap: bool = False, device: str | None = None,
            magnesium: bool = False, note: str | None = None) -> None:
        """Check one recorded sleep and keep it as a night, or count it as skipped. Raises
        InvalidInput naming the field when the record contradicts itself."""
        tried = tried or bed
        if onset is not None and tried is not None:
            latency_min = minutes_between(tried, onset)
        length = check_parts(bed, tried, latency_min, awakenings, waso_min, final, up, onset=onset)
        start = bed or tried
        assert start is not None  # check_parts refuses a record without one
        night = night_of(start, self.rollover_hour)
        check_date(night, "night", latest=self.latest)
        if nap:
            self.found.naps += 1
            return
        if length < MIN_NIGHT_MIN:
            self.found.too_short += 1
            return
        tracked = TrackedNight(self.fmt, source_id, where, night, bed, tried, latency_min, awakenings, waso_min,
                               final, up, quality, device, magnesium, clean_note(note))
        earlier = self._by_night.get(night)
        if earlier is not None:
            self.found.second_sleeps += 1
            if earlier[0] >= length:
                return
        self._by_night[night] = (length, tracked)

    def finish(self) -> TrackerFile:
        """The nights in date order; raises ImportFailed when any record had a problem."""
        from magsleep.domain.import_file import ImportFailed, limited

        if self.problems:
            raise ImportFailed(limited(self.problems))
        self.found.nights = [n for _, (_, n) in sorted(self._by_night.items())]
        for n in self.found.nights:
            shown = FORMAT_NAMES[n.source] + (f" · {n.device}" if n.device else "")
            self.found.sources[shown] += 1
        return self.found


def elapsed(moment: datetime, minutes: float) -> datetime:
    """`minutes` of lived time after `moment`, in its zone (aware arithmetic in Python is wall-clock
    arithmetic: across a DST change it would be an hour off)."""
    return (moment.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(moment.tzinfo)


def check_parts(bed: datetime | None, tried: datetime | None, latency_min: int | None, awakenings: int | None,
                waso_min: int | None, final: datetime | None, up: datetime | None, *,
                onset: datetime | None = None) -> int:
    """A tracker's record that contradicts itself raises InvalidInput naming the field: a start
    and an end, in order, counts that fit, at most 24 hours. Returns the minutes from falling
    asleep (or trying to) to the final awakening. Unknown parts (None) are fine."""
    start = bed or tried
    if start is None or final is None:
        raise InvalidInput("start", "the record has no start or no end")
    _order(bed, tried, "tried", "starts before going to bed")
    asleep_from = onset or tried or start
    _order(asleep_from, final, "final", "the sleep ends before it starts")
    _order(final, up, "up", "out of bed before the final awakening")
    length = minutes_between(asleep_from, final)
    _check_counts(latency_min, awakenings, waso_min, length)
    if minutes_between(start, up or final) > MAX_NIGHT.total_seconds() / 60:
        raise InvalidInput("end", "the night would be longer than 24 hours")
    return length


TRACKERS = tuple(key for key in FORMAT_NAMES if key not in ("json", "csv"))
"""The trackers a night can be imported from (its `source`)."""


def _order(first: datetime | None, then: datetime | None, field_name: str, message: str) -> None:
    if first is not None and then is not None and minutes_between(first, then) < 0:
        raise InvalidInput(field_name, message)


def check_tz(name: str) -> None:
    """Raise InvalidInput unless `name` is an IANA zone this machine knows (for --tz)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("--tz", f"{name[:40]!r} is not a time zone; use a name like Europe/London") from None
