"""Sleep-trend series for the graph: metrics, ranges, rolling averages and the summary line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from magsleep.domain.regularity import MIDPOINT_NIGHTS, regularity_at, span_between, window_regularity
from magsleep.domain.sleep_diary import Answers, SleepMetrics, minutes_between


@dataclass(frozen=True)
class Metric:
    """A metric that can be plotted: its key, label, unit and whether higher is better."""

    key: str
    label: str
    unit: str
    short: str
    higher_is_better: bool = True
    lowest: float = 0.0
    """The smallest possible value (a graph's axis never goes below it)."""
    highest: float | None = None
    """The largest possible value, if there is one."""
    whole: bool = False
    """A scale of whole numbers (quality 1-5): the graph's ticks are whole numbers too."""


METRICS: tuple[Metric, ...] = (
    Metric("se_pct", "Sleep efficiency", "%", "Efficiency %", highest=100.0),
    Metric("tst_min", "Total sleep", "h", "Total sleep h"),
    Metric("sol_min", "Time to fall asleep", "min", "Time to sleep min", higher_is_better=False),
    Metric("quality", "Quality", "1-5", "Quality 1-5", lowest=1.0, highest=5.0, whole=True),
)
METRICS_BY_KEY = {m.key: m for m in METRICS}
REGULARITY_METRICS: tuple[Metric, ...] = (
    Metric("midsleep_sd", "Sleep midpoint spread (14-night SD)", "min", "Midpoint SD min", higher_is_better=False),
    Metric("sri", "Sleep Regularity Index (14 nights)", "", "Regularity index", lowest=-100.0, highest=100.0),
)
"""Graph-only metrics (`m` cycles to them): each night's value is the regularity of the 14 nights
ending there (domain.regularity); they are never compared on and off magnesium."""
GRAPH_METRICS = METRICS + REGULARITY_METRICS
GRAPH_METRICS_BY_KEY = {m.key: m for m in GRAPH_METRICS}
OUTCOMES = {"sol": "sol_min", "se": "se_pct", "tst": "tst_min", "quality": "quality"}
"""Outcome names (as typed on the command line and stored) and the metric each one is."""
RANGES: tuple[int | None, ...] = (7, 30, 90, None)  # None: all nights
WINDOW = 7



DIFF_UNITS = {"se_pct": " points", "tst_min": " min", "sol_min": " min", "quality": ""}
"""The unit of a difference in each outcome (efficiency in points: a difference of percentages is
not a percentage; total sleep in minutes)."""

@dataclass(frozen=True)
class PartialNight:
    """What a night's record gives, each part None when unknown (a tracker's night not completed)."""

    bed: datetime | None
    tried: datetime | None
    latency_min: int | None
    waso_min: int | None
    final: datetime | None
    up: datetime | None
    quality: int | None

    @property
    def onset(self) -> datetime | None:
        """Tried to sleep (or, unknown, into bed) plus the latency, when both are known."""
        tried = self.tried or self.bed
        return tried + timedelta(minutes=self.latency_min) if tried and self.latency_min is not None else None

    def known_minutes(self) -> tuple[int | None, int | None, float | None]:
        """Time in bed, total sleep and efficiency, each only when all its parts are known; parts
        that disagree give no total sleep rather than a wrong one."""
        onset = self.onset
        tib = minutes_between(self.bed, self.up) if self.bed and self.up else None
        tst = minutes_between(onset, self.final) - self.waso_min \
            if onset and self.final and self.waso_min is not None else None
        if tst is not None and (tst < 0 or (tib is not None and tst > tib)):
            tst = None
        se = round(100 * tst / tib, 1) if tst is not None and tib else None
        return tib, tst, se


def answered_minutes(answers: Answers) -> tuple[int | None, int | None, float | None]:
    """Time in bed, total sleep and efficiency that an incomplete diary's answers give."""
    return PartialNight(answers.bed, answers.tried, answers.latency_min, answers.waso_min, answers.final,
                        answers.up, answers.quality).known_minutes()


@dataclass(frozen=True)
class NightPoint:
    """One logged night's numbers for trends and comparisons."""

    night: date
    se_pct: float | None
    tst_min: float | None
    sol_min: float | None
    quality: float | None
    """None where the night's record does not give it (a tracker's night the person has not
    completed): such a night counts for the metrics it gives, never as a 0 for the others."""
    elemental_mg: float
    dose_to_bed_min: int | None = None
    """Minutes from the night's last dose to "tried to sleep" (None without a dose)."""
    span: tuple[int, int] | None = None
    """When the night's sleep began and ended, in minutes from noon (for regularity)."""

    @property
    def on_magnesium(self) -> bool:
        return self.elemental_mg > 0

    def value(self, metric: str) -> float | None:
        value = getattr(self, metric)
        return value / 60 if metric == "tst_min" and value is not None else value



def with_known(points: Sequence[NightPoint], metric: str) -> list[NightPoint]:
    """The nights that give `metric` (a night never counts as a 0 for what it does not give)."""
    return [p for p in points if getattr(p, metric) is not None]


def partial_point(night: date, parts: PartialNight, elemental_mg: float,
                  dose_to_bed_min: int | None = None) -> NightPoint | None:
    """The metrics a night not yet completed gives (a tracker's night: the morning log asks for
    the rest): each from the parts it needs, None where one is unknown, never a 0. None when it
    gives none of them."""
    onset = parts.onset
    tib, tst, se = parts.known_minutes()
    if all(v is None for v in (se, tst, parts.latency_min, parts.quality)):
        return None
    return NightPoint(night, se, tst, parts.latency_min, parts.quality, elemental_mg, dose_to_bed_min,
                      span_between(night, onset, parts.final) if onset and parts.final else None)


def point(night: date, metrics: SleepMetrics, quality: int, elemental_mg: float,
          dose_to_bed_min: int | None = None, span: tuple[int, int] | None = None) -> NightPoint:
    return NightPoint(night, metrics.se_pct, metrics.tst_min, metrics.sol_min, quality, elemental_mg,
                      dose_to_bed_min, span)


def series(points: Sequence[NightPoint], metric: str) -> list[tuple[NightPoint, float]]:
    """Each point with its value of `metric`; a regularity metric has a value once its 14-night
    window holds 7 nights."""
    if metric not in ("midsleep_sd", "sri"):
        return [(p, v) for p in points if (v := p.value(metric)) is not None]

    out = []
    spanned = [p for p in points if p.span is not None]  # in date order
    first = 0
    for i, p in enumerate(spanned):
        while spanned[first].night <= p.night - timedelta(days=MIDPOINT_NIGHTS):
            first += 1  # a sliding window (regularity.window_of's): each night enters and leaves once
        window = {q.night: q.span for q in spanned[first:i + 1] if q.span is not None}
        found = window_regularity(window)
        value = found.midsleep_sd_min if metric == "midsleep_sd" else found.sri
        if value is not None:
            out.append((p, value))
    return out


def axis_ticks(low: float, high: float, *, whole: bool = False, most: int = 5) -> list[float]:
    """At most `most` round values between `low` and `high` for an axis: steps of 1, 2, 2.5 or 5
    times a power of ten (1 or more on a scale of whole numbers), each tick a multiple of its step;
    none when a whole-number scale holds no whole number."""
    if high < low:
        low, high = high, low
    span = max(high - low, 1e-9)
    power = 10.0 ** math.floor(math.log10(span / most))
    steps = [m * power * k for k in (1, 10, 100) for m in (1, 2, 2.5, 5)]
    fits = [s for s in steps if (not whole or s >= 1 and s == int(s)) and span / s <= most - 1 + 1e-9]
    step = fits[0] if fits else max(1.0, math.ceil(span))  # a whole scale narrower than 1: one tick
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def tick_label(value: float) -> str:
    """A tick as a person writes it: 3 not 3.00, 2.5 not 2.50."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


def rolling_mean(values: Sequence[float], window: int = WINDOW) -> list[float]:
    """Trailing mean over up to `window` values (shorter at the start)."""
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def summary(points: Sequence[NightPoint], metric: str = "se_pct", end: date | None = None) -> str:
    """Nights with a sleep diary (a "logged night" is any with a diary, dose or tick: only diaries
    make the trend), nights with magnesium, and the latest 7-night average against the first 7
    (for a regularity metric: its value for the 14 nights ending `end`, by default the newest)."""
    if not points:
        return "No sleep logged yet: press l to log your first morning."
    on = sum(1 for p in points if p.on_magnesium)
    text = f"{len(points)} night{'s' if len(points) != 1 else ''} of sleep logged, {on} with magnesium"
    if metric in ("midsleep_sd", "sri"):
        found = regularity_at({p.night: p.span for p in points if p.span is not None},
                              end if end is not None else points[-1].night)
        latest = found.midsleep_sd_min if metric == "midsleep_sd" else found.sri
        if latest is None:
            return text + " · regularity needs 7 of the last 14 nights"
        if metric == "midsleep_sd":
            return text + f" · sleep midpoint varies by {latest:.0f} min over the last 14 nights"
        return text + f" · regularity index {latest:.0f} over the last 14 nights (100: same times daily)"
    m = METRICS_BY_KEY[metric]
    values = [v for p in points if (v := p.value(metric)) is not None]
    if len(values) >= 2 * WINDOW:
        first = sum(values[:WINDOW]) / WINDOW
        last = sum(values[-WINDOW:]) / WINDOW
        # The means to the precision of their difference, so the three numbers agree.
        return text + (f" · last 7 nights {fmt_precise(last, m)} vs first 7 {fmt_precise(first, m)}"
                       f" ({fmt_diff(last - first, m)})")
    return text + f" · the 7-night comparison needs {2 * WINDOW} nights"


def fmt(value: float, metric: Metric, digits: int = 0) -> str:
    """A value with its unit; hours and quality always to one decimal."""
    if metric.key == "tst_min":
        return f"{value:.1f} h"
    if metric.key == "quality":
        return f"{value:.1f}"
    return f"{value:.{digits}f}{' ' if metric.unit == 'min' else ''}{metric.unit}"


def fmt_precise(value: float, metric: Metric) -> str:
    """One decimal, with the unit: the precision `fmt_diff` uses."""
    return fmt(value, metric, digits=1)


def fmt_diff(value: float, metric: Metric) -> str:
    """A difference: efficiency in points (a difference of percentages is not a percentage)."""
    sign = "+" if value >= 0 else "-"
    if metric.key == "se_pct":
        return f"{sign}{abs(value):.1f} points"
    return sign + fmt_precise(abs(value), metric)
