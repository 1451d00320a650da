"""Sleep regularity from the diary: the sleep midpoint's spread and the Sleep Regularity Index.

Sleep, as a diary can place it, runs from "tried to sleep" plus the minutes it took to fall
asleep to the final awakening. Time awake in the night cannot be placed (the diary gives its
total, not when), so it counts as asleep here, and regularity reads slightly high.

Both are taken over one window everywhere: the 14 calendar nights ending at the night they
describe (nights without a diary are absent), and only when 7 or more of them were logged.

- Midpoint SD: the population standard deviation of the sleep midpoint over that window, in
  minutes from noon so midnight does not wrap; it needs a week or more to be stable
  (Fischer, Klerman & Phillips 2021, Sleep zsab103), so it is given from 7 nights on.
- Sleep Regularity Index (Phillips et al. 2017, Sci Rep 7:3216): -100 + 200 × the share of minute
  pairs 24 hours apart that are in the same state (asleep or awake), on a 1-minute grid over each
  noon-to-noon day, skipping pairs where either night has no diary; 100 for a schedule that never
  changes, 0 for a random one; from 7 nights on (the R package sleepreg's SRI_from_diaries does
  the same on a 10-second grid). Days are 1,440 minutes of wall-clock time from noon: a
  daylight-saving night's extra or missing hour is not on the grid.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from magsleep.domain.sleep_diary import Diary

MIN_NIGHTS = 7
MIDPOINT_NIGHTS = 14
DAY = 1440


def _from_noon(moment: datetime, night: date) -> int:
    """Wall-clock minutes from noon of `night` (the evening's date), clamped to the day."""
    days = (moment.date() - night).days
    return max(0, min(DAY, days * DAY + moment.hour * 60 + moment.minute - 720))


def sleep_span(night: date, diary: Diary) -> tuple[int, int]:
    """Minutes from noon when sleep began (tried + latency) and ended (final awakening)."""
    return span_between(night, diary.tried + timedelta(minutes=diary.latency_min), diary.final)


def span_between(night: date, onset: datetime, final: datetime) -> tuple[int, int]:
    """Minutes from noon of `night` of sleep onset and of the final awakening."""
    return _from_noon(onset, night), _from_noon(final, night)


@dataclass(frozen=True)
class Regularity:
    midsleep_sd_min: float | None
    sri: float | None
    nights: int

    def as_dict(self) -> dict[str, Any]:
        return {"midsleep_sd_min": None if self.midsleep_sd_min is None else round(self.midsleep_sd_min, 1),
                "sri": None if self.sri is None else round(self.sri, 1), "nights": self.nights}


def midpoint_sd(spans: Sequence[tuple[int, int]]) -> float | None:
    """Spread of the sleep midpoint over the last 14 nights (None below 7)."""
    recent = list(spans)[-MIDPOINT_NIGHTS:]
    if len(recent) < MIN_NIGHTS:
        return None
    return statistics.pstdev((start + end) / 2 for start, end in recent)


def sleep_regularity_index(nights: dict[date, tuple[int, int]]) -> float | None:
    """SRI over every pair of consecutive days that both have a diary (None below 7 nights)."""
    if len(nights) < MIN_NIGHTS:
        return None
    same = compared = 0
    for night, (start, end) in nights.items():
        following = nights.get(night + timedelta(days=1))
        if following is None:
            continue
        # Minutes asleep on each day: [start, end) from noon. Agreement = all minutes minus those
        # asleep on exactly one of the two days.
        start2, end2 = following
        overlap = max(0, min(end, end2) - max(start, start2))
        only_one = (end - start) + (end2 - start2) - 2 * overlap
        same += DAY - only_one
        compared += DAY
    if not compared:
        return None
    return -100 + 200 * same / compared


def window_of(spans: Mapping[date, tuple[int, int]], end: date) -> dict[date, tuple[int, int]]:
    """The nights of the 14-night window ending at `end` (a calendar window: a night without a
    diary is simply absent), in date order."""
    start = end - timedelta(days=MIDPOINT_NIGHTS)
    return {night: span for night, span in sorted(spans.items()) if start < night <= end}


def window_regularity(window: Mapping[date, tuple[int, int]]) -> Regularity:
    """Midpoint SD and SRI of one window's nights (each None below 7 nights)."""
    return Regularity(midpoint_sd(list(window.values())), sleep_regularity_index(dict(window)), len(window))


def regularity_at(spans: Mapping[date, tuple[int, int]], end: date) -> Regularity:
    """The regularity every screen reports for night `end`: the 14 nights ending there, from 7
    logged nights on (the graph's point for `end`, the dashboard's line, Insights and the report)."""
    return window_regularity(window_of(spans, end))
