"""When the dose was taken, relative to bed: minutes from the night's last dose to "tried to
sleep". Guidance often says 30 minutes to an hour before bed; trials mostly do not report timing
(Mah & Pitre 2021), so magsleep measures the person's own and compares time to fall asleep for
doses 30-60 minutes before bed against other timings, as a secondary comparison that never makes
the headline. Moments are aware, so the minutes are elapsed time across midnight and DST.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from magsleep.domain.comparison import Comparison, compare
from magsleep.domain.sleep_diary import minutes_between
from magsleep.domain.trend import NightPoint

ON_TIME = (30, 60)
"""Minutes before bed that the guidance names."""


def dose_to_bed_min(doses: Sequence[datetime], tried: datetime | None) -> int | None:
    """Minutes from the last dose to trying to sleep (negative: taken after); None without both."""
    if not doses or tried is None:
        return None
    # Compared in UTC: Python orders and subtracts two times of the same zone object by their wall
    # clocks, an hour off across a daylight-saving change.
    return minutes_between(max(d.astimezone(UTC) for d in doses), tried)


def on_time(minutes: float) -> bool:
    return ON_TIME[0] <= minutes <= ON_TIME[1]


def timing_comparison(points: Sequence[NightPoint]) -> Comparison:
    """Time to fall asleep, doses 30-60 min before bed against other timings (dosed nights only)."""
    timed = [(sol, m) for p in points if p.on_magnesium and (m := p.dose_to_bed_min) is not None
             and (sol := p.sol_min) is not None]
    return compare([sol for sol, _ in timed], [on_time(m) for _, m in timed],
                   "sol_min", "timing")


def timing_spread(points: Sequence[NightPoint]) -> dict[str, int]:
    """How many dosed nights fell in each band of minutes before bed."""
    bands = {"after bed": 0, "0-29 min": 0, "30-60 min": 0, "61-120 min": 0, "over 2 h": 0}
    for p in points:
        m = p.dose_to_bed_min
        if not p.on_magnesium or m is None:
            continue
        key = ("after bed" if m < 0 else "0-29 min" if m < 30 else "30-60 min" if m <= 60
               else "61-120 min" if m <= 120 else "over 2 h")
        bands[key] += 1
    return bands
