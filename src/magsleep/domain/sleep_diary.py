"""The Consensus Sleep Diary: answers, their checks, and the derived metrics.

Carney et al., "The Consensus Sleep Diary", SLEEP 2012;35(2):287-302:
    TIB = out of bed - into bed
    TST = (final awakening - (tried to sleep + SOL)) - WASO
    SE  = TST / TIB x 100
Worked example: bed 23:00, tried 23:00, SOL 45, WASO 60, final 06:30, up 07:00 gives
TIB 480, TST 345, SE 71.9 %.

Durations are elapsed time: every moment is an aware datetime and differences are taken in
UTC, so a spring-forward night is an hour shorter on the clock than it looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from magsleep.domain.errors import InvalidInput
from magsleep.domain.nights import DEFAULT_ROLLOVER_HOUR, attach_zone
from magsleep.domain.parsing import parse_clock, parse_int

MAX_LATENCY_MIN = 12 * 60
MAX_AWAKENINGS = 60
MAX_NIGHT = timedelta(hours=24)
MAX_PLAUSIBLE_GAP_MIN = 18 * 60

SYMPTOM_KINDS = ("diarrhoea", "nausea", "cramps", "drowsiness", "headache", "other")
SYMPTOM_ALIASES = {"diarrhea": "diarrhoea", "cramping": "cramps"}
QUALITY_WORDS = {1: "very poor", 2: "poor", 3: "fair", 4: "good", 5: "very good"}


@dataclass(frozen=True)
class Diary:
    """One night's diary answers, with moments resolved to aware datetimes."""

    bed: datetime
    tried: datetime
    latency_min: int
    awakenings: int
    waso_min: int
    final: datetime
    up: datetime
    quality: int
    rested: int | None = None


@dataclass(frozen=True)
class SleepMetrics:
    """What the diary gives: time in bed, sleep, and efficiency."""

    tib_min: int
    sol_min: int
    waso_min: int
    tst_min: int
    se_pct: float


def minutes_between(start: datetime, end: datetime) -> int:
    """Elapsed whole minutes, in UTC so daylight-saving changes count as they were lived."""
    delta = end.astimezone(UTC) - start.astimezone(UTC)
    return round(delta.total_seconds() / 60)


def resolve(night: date, clock: time, tz: tzinfo, *, after: datetime | None = None,
            rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> datetime:
    """Place a wall-clock time on the night's timeline.

    Without `after` (bedtime, tried to sleep), times from the rollover hour on are that evening
    and earlier ones the next morning, so a bedtime of 00:30 is after midnight. With `after`
    (final awakening, out of bed), it is the first such time at or after that moment.
    """
    if after is None:
        day = night if clock.hour >= rollover_hour else night + timedelta(days=1)
        return attach_zone(datetime.combine(day, clock), tz)
    local_after = after.astimezone(tz)
    candidate = attach_zone(datetime.combine(local_after.date(), clock), tz)
    if minutes_between(after, candidate) < 0:
        later = attach_zone(datetime.combine(local_after.date() + timedelta(days=1), clock), tz)
        # A time just before `after` is a slip (woke before going to bed), not a 23-hour night:
        # keep it before, so the check names the field instead of accepting a marathon.
        if minutes_between(after, later) <= MAX_PLAUSIBLE_GAP_MIN:
            candidate = later
    return candidate


def diary_from_clock(
    night: date,
    tz: tzinfo,
    *,
    bed: str | time,
    tried: str | time | None,
    latency: str | int | None,
    awakenings: str | int | None,
    waso: str | int | None,
    final: str | time,
    up: str | time,
    quality: str | int | None,
    rested: str | int | None = None,
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR,
) -> Diary:
    """Build and check a diary from the wall-clock answers a person gives in the morning."""
    bed_t = bed if isinstance(bed, time) else parse_clock(bed, "bed")
    tried_t = bed_t if tried in (None, "") else (
        tried if isinstance(tried, time) else parse_clock(tried, "tried")
    )
    final_t = final if isinstance(final, time) else parse_clock(final, "final")
    up_t = up if isinstance(up, time) else parse_clock(up, "up")
    latency_v = parse_int(latency, "latency", minimum=0, maximum=MAX_LATENCY_MIN, unit="min")
    awakenings_v = 0 if awakenings in (None, "") else parse_int(
        awakenings, "awakenings", minimum=0, maximum=MAX_AWAKENINGS)
    waso_v = 0 if waso in (None, "") else parse_int(
        waso, "waso", minimum=0, maximum=24 * 60, unit="min")
    quality_v = parse_int(quality, "quality", minimum=1, maximum=5)
    rested_v = None if rested in (None, "") else parse_int(rested, "rested", minimum=1, maximum=5)

    bed_at = resolve(night, bed_t, tz, rollover_hour=rollover_hour)
    tried_at = resolve(night, tried_t, tz, after=bed_at)
    final_at = resolve(night, final_t, tz, after=bed_at)
    up_at = resolve(night, up_t, tz, after=bed_at)
    diary = Diary(bed_at, tried_at, latency_v, awakenings_v, waso_v, final_at, up_at,
                  quality_v, rested_v)
    compute_metrics(diary)  # raises on an impossible diary
    return diary


def compute_metrics(diary: Diary) -> SleepMetrics:
    """Check a diary for impossible answers and derive TIB, TST and SE.

    Each rejection names the field a person should correct.
    """
    _check_answers(diary)
    tib = minutes_between(diary.bed, diary.up)
    if tib <= 0:
        raise InvalidInput("up", "out of bed is not after going to bed")
    if tib > MAX_NIGHT.total_seconds() / 60:
        raise InvalidInput("up", "the night would be longer than 24 hours")
    if minutes_between(diary.bed, diary.tried) < 0:
        raise InvalidInput("tried", "tried to sleep before going to bed")
    onset = diary.tried + timedelta(minutes=diary.latency_min)
    asleep = minutes_between(onset, diary.final)
    if asleep < 0:
        raise InvalidInput("final", "final awakening is before falling asleep "
                           "(tried to sleep + minutes to fall asleep)")
    if minutes_between(diary.final, diary.up) < 0:
        raise InvalidInput("up", "out of bed is before the final awakening")
    if diary.waso_min > asleep:
        raise InvalidInput("waso", f"{diary.waso_min} min awake is longer than the "
                           f"{asleep} min between falling asleep and the final awakening")
    if diary.awakenings == 0 and diary.waso_min > 0:
        raise InvalidInput("awakenings", "minutes awake were given, so there was at least 1 awakening")
    tst = asleep - diary.waso_min
    return SleepMetrics(
        tib_min=tib,
        sol_min=diary.latency_min,
        waso_min=diary.waso_min,
        tst_min=tst,
        se_pct=round(tst / tib * 100, 1),
    )


def _check_answers(diary: Diary) -> None:
    """The answers that stand on their own (counts and ratings), before the times are compared."""
    if diary.latency_min < 0:
        raise InvalidInput("latency", "cannot be negative")
    if diary.waso_min < 0:
        raise InvalidInput("waso", "cannot be negative")
    if diary.awakenings < 0:
        raise InvalidInput("awakenings", "cannot be negative")
    if not 1 <= diary.quality <= 5:
        raise InvalidInput("quality", "must be 1 (very poor) to 5 (very good)")
    if diary.rested is not None and not 1 <= diary.rested <= 5:
        raise InvalidInput("rested", "must be 1 (not at all) to 5 (very well)")


@dataclass(frozen=True)
class Answers:
    """A night's diary answers when not all of them are known (a tracker's night the morning log
    has not completed): each None when unknown, never 0."""

    bed: datetime | None = None
    tried: datetime | None = None
    latency_min: int | None = None
    awakenings: int | None = None
    waso_min: int | None = None
    final: datetime | None = None
    up: datetime | None = None
    quality: int | None = None
    rested: int | None = None

    @classmethod
    def of(cls, diary: Diary | None) -> Answers:
        """A complete diary's answers (none at all for no diary), in the same shape."""
        if diary is None:
            return cls()
        return cls(diary.bed, diary.tried, diary.latency_min, diary.awakenings, diary.waso_min, diary.final,
                   diary.up, diary.quality, diary.rested)


@dataclass(frozen=True)
class Provenance:
    """Where an imported night came from: the tracker's format, its own id of the record, and the
    device or app its file names (so the same file imported again adds nothing)."""

    source: str
    source_id: str | None = None
    device: str | None = None


@dataclass(frozen=True)
class Symptom:
    """A side effect on a night: its kind and severity 1 (mild) to 3 (severe)."""

    kind: str
    severity: int = 1


def parse_symptom(text: str | None, field: str = "symptom") -> Symptom:
    """Parse ``KIND`` or ``KIND:SEVERITY`` (severity 1-3, default 1)."""
    raw = (text or "").strip().lower()
    kind, _, sev = raw.partition(":")
    kind = SYMPTOM_ALIASES.get(kind.strip(), kind.strip())
    if kind not in SYMPTOM_KINDS:
        raise InvalidInput(field, f"unknown side effect {text!r}; choose from {', '.join(SYMPTOM_KINDS)}")
    severity = 1 if not sev.strip() else parse_int(sev, field, minimum=1, maximum=3)
    return Symptom(kind, severity)


def format_minutes(minutes: float | None) -> str:
    """``7h05`` for a duration in minutes; an em dash when unknown."""
    if minutes is None:
        return "—"
    minutes = int(round(minutes))
    sign = "-" if minutes < 0 else ""
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours}h{mins:02d}"
