"""Minutes from the last dose to trying to sleep, across midnight and daylight-saving changes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from magsleep.domain.dose_timing import dose_to_bed_min, timing_comparison, timing_spread
from magsleep.domain.trend import NightPoint

NY = ZoneInfo("America/New_York")


def test_minutes_before_bed_use_the_last_dose_and_cross_midnight():
    tried = datetime(2026, 3, 1, 0, 20, tzinfo=NY)
    assert dose_to_bed_min([datetime(2026, 2, 28, 21, 0, tzinfo=NY), datetime(2026, 2, 28, 23, 35, tzinfo=NY)],
                           tried) == 45
    assert dose_to_bed_min([datetime(2026, 3, 1, 0, 50, tzinfo=NY)], tried) == -30  # taken after
    assert dose_to_bed_min([], tried) is None and dose_to_bed_min([tried], None) is None


def test_elapsed_minutes_across_the_spring_forward_hour():
    # New York, 8 March 2026: 02:00 becomes 03:00. A dose at 01:30, trying to sleep at 03:30 wall
    # clock: one hour has passed, not two.
    dose = datetime(2026, 3, 8, 1, 30, tzinfo=NY)
    tried = datetime(2026, 3, 8, 3, 30, tzinfo=NY)
    assert dose_to_bed_min([dose], tried) == 60


def point(i: int, minutes: int | None, sol: float) -> NightPoint:
    return NightPoint(date(2026, 1, 1).replace(day=1 + i % 28), 85, 420, sol, 3, 200 if minutes is not None else 0,
                      minutes)


def test_timing_bands_and_comparison():
    points = [point(i, m, s) for i, (m, s) in enumerate(
        [(45, 10), (40, 12), (50, 11), (35, 9), (55, 10), (30, 13), (60, 12), (45, 11),
         (150, 25), (10, 22), (-20, 30), (90, 24), (200, 26), (5, 23), (120, 27), (None, 40)])]
    assert timing_spread(points) == {"after bed": 1, "0-29 min": 2, "30-60 min": 8, "61-120 min": 2, "over 2 h": 2}
    c = timing_comparison(points)
    assert c.kind == "timing" and c.n_a == 8 and c.n_b == 7 and c.diff < 0
    assert set(c.as_dict()) >= {"mean_on_time", "mean_other", "n_on_time", "n_other"}
