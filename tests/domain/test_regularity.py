"""Sleep regularity: worked examples for the midpoint SD and the Sleep Regularity Index."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magsleep.domain.regularity import Regularity, regularity_at, sleep_regularity_index, sleep_span
from magsleep.domain.sleep_diary import Diary

LONDON = ZoneInfo("Europe/London")
START = date(2026, 3, 2)


def diary(night: date, onset: str, wake: str, latency: int = 0) -> Diary:
    """A night that tried to sleep at `onset` (evening, or after midnight) and woke at `wake`."""
    h, m = map(int, onset.split(":"))
    tried_day = night if h >= 12 else night + timedelta(days=1)
    tried = datetime(tried_day.year, tried_day.month, tried_day.day, h, m, tzinfo=LONDON)
    wh, wm = map(int, wake.split(":"))
    wake_day = night + timedelta(days=1)
    final = datetime(wake_day.year, wake_day.month, wake_day.day, wh, wm, tzinfo=LONDON)
    return Diary(tried, tried, latency, 0, 0, final, final, 3)


def regularity(diaries: dict[date, Diary]) -> Regularity:
    """The regularity of the 14 nights ending at the last one, as every screen reports it."""
    return regularity_at({night: sleep_span(night, d) for night, d in diaries.items()}, max(diaries))


def nights(schedule: list[tuple[str, str]]) -> dict[date, Diary]:
    return {START + timedelta(days=i): diary(START + timedelta(days=i), a, b) for i, (a, b) in enumerate(schedule)}


def test_a_fixed_schedule_is_perfectly_regular():
    r = regularity(nights([("23:00", "07:00")] * 14))
    assert r.sri == 100 and r.midsleep_sd_min == 0 and r.nights == 14


def test_alternating_two_hour_shifts():
    # 23:00-07:00 and 01:00-09:00 in turn: each pair of days disagrees on 23-01 and 07-09, 240 of
    # 1,440 minutes, so SRI = -100 + 200 * 1200/1440 = 66.7; the midpoints 03:00 and 05:00 are 60
    # minutes either side of their mean.
    r = regularity(nights([("23:00", "07:00"), ("01:00", "09:00")] * 7))
    assert r.sri == pytest.approx(-100 + 200 * 1200 / 1440) == pytest.approx(66.667, abs=0.001)
    assert r.midsleep_sd_min == pytest.approx(60.0)


def test_latency_moves_the_start_and_midnight_does_not_wrap():
    assert sleep_span(START, diary(START, "23:50", "07:00", latency=20)) == (12 * 60 + 10, 19 * 60)
    r = regularity(nights([("23:50", "07:50"), ("00:10", "08:10")] * 7))
    assert r.midsleep_sd_min == pytest.approx(10.0)  # 20 minutes apart across midnight, not 23 h


def test_missing_nights_are_skipped_and_seven_are_needed():
    schedule = nights([("23:00", "07:00")] * 14)
    for gap in (3, 4, 9):
        schedule.pop(START + timedelta(days=gap))
    assert regularity(schedule).sri == 100  # pairs with a missing night are not compared
    few = nights([("23:00", "07:00")] * 6)
    assert regularity(few).sri is None and regularity(few).midsleep_sd_min is None
    assert regularity(few).as_dict() == {"midsleep_sd_min": None, "sri": None, "nights": 6}


def test_a_day_out_of_phase_by_twelve_hours_is_the_floor():
    # Asleep 00:00-12:00 one day and awake then the next: no minute agrees.
    assert sleep_regularity_index({START + timedelta(days=i): ((0, 720) if i % 2 else (720, 1440))
                                   for i in range(8)}) == -100


@given(st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 1440)), min_size=7, max_size=30))
def test_sri_stays_in_range(spans):
    nights_ = {START + timedelta(days=i): (min(a, b - 1), b) for i, (a, b) in enumerate(spans)}
    sri = sleep_regularity_index(nights_)
    assert sri is not None and -100 <= sri <= 100


def test_regularity_as_a_graph_series():
    from magsleep.domain.trend import NightPoint, series, summary

    points = [NightPoint(START + timedelta(days=i), 85, 420, 15, 3, 0, None,
                         (660, 1140) if i % 2 else (780, 1260)) for i in range(20)]
    sri = series(points, "sri")
    assert len(sri) == 14 and sri[0][0].night == START + timedelta(days=6)  # from the 7th night
    assert all(value == __import__("pytest").approx(66.667, abs=0.01) for _, value in sri)
    sd = series(points, "midsleep_sd")
    assert all(55 <= value <= 60 for _, value in sd)  # 60 with even counts of each, 59.4 with 4 and 3
    assert "regularity index 67 over the last 14 nights" in summary(points, "sri")
    assert "regularity needs 7 nights" in summary(points[:5], "sri")
