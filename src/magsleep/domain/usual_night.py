"""The person's usual diary answers: suggestions for the morning log, never answers by themselves.

Each is the median of the last nights logged (up to 14): clock times as minutes from noon, so
23:50 and 00:10 are 20 minutes apart, not 23 hours. Quality and how rested are asked fresh
every morning and never suggested.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime

from magsleep.domain.sleep_diary import Diary

USUAL_NIGHTS = 14


def _from_noon(moment: datetime) -> int:
    return (moment.hour * 60 + moment.minute - 720) % 1440


def _clock(minutes_from_noon: float) -> str:
    minutes = (round(minutes_from_noon) + 720) % 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def usual_clock(moments: Sequence[datetime]) -> str | None:
    """The median wall-clock time of `moments` as HH:MM (from noon, so midnight does not wrap)."""
    if not moments:
        return None
    return _clock(statistics.median(_from_noon(m) for m in moments))


def usual_answers(diaries: Sequence[Diary]) -> dict[str, str]:
    """Suggested text for each diary field the morning log asks (empty without nights logged)."""
    recent = list(diaries)[-USUAL_NIGHTS:]
    if not recent:
        return {}
    clocks = {"bed": "bed", "tried": "tried", "final": "final", "up": "up"}
    counts = {"latency": "latency_min", "awakenings": "awakenings", "waso": "waso_min"}
    out: dict[str, str] = {field: usual_clock([getattr(d, attr) for d in recent]) or ""
                           for field, attr in clocks.items()}
    out.update({field: f"{statistics.median(getattr(d, attr) for d in recent):.0f}" for field, attr in counts.items()})
    return out
