"""The Consensus Sleep Diary metrics and the impossible-diary rejections."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magsleep.domain.errors import InvalidInput
from magsleep.domain.sleep_diary import (
    Diary,
    compute_metrics,
    diary_from_clock,
    format_minutes,
    parse_symptom,
)

NY = ZoneInfo("America/New_York")
UTC = UTC
EXAMPLE = dict(bed="23:00", tried="23:00", latency=45, awakenings=2, waso=60, final="06:30",
               up="07:00", quality=3)


def metrics(night=date(2026, 11, 20), tz=NY, **changes):
    return compute_metrics(diary_from_clock(night, tz, **{**EXAMPLE, **changes}))


def test_worked_example_from_the_design():
    m = metrics()
    assert (m.tib_min, m.tst_min, m.se_pct) == (480, 345, 71.9)


def test_crossing_midnight_and_bedtime_after_midnight():
    d = diary_from_clock(date(2026, 11, 20), NY, **{**EXAMPLE, "bed": "00:30", "tried": "00:45"})
    assert d.bed.date() == date(2026, 11, 21)
    m = compute_metrics(d)
    assert m.tib_min == 390  # 00:30 to 07:00
    assert m.tst_min == 390 - 15 - 45 - 60 - 30  # tried at 00:45, SOL 45, WASO 60, 30 min in bed after


def test_spring_forward_night_is_an_hour_shorter():
    # US clocks jump from 02:00 to 03:00 on 2026-03-08.
    m = metrics(night=date(2026, 3, 7))
    assert (m.tib_min, m.tst_min) == (420, 285)


def test_fall_back_night_is_an_hour_longer():
    # US clocks go from 02:00 back to 01:00 on 2026-11-01.
    m = metrics(night=date(2026, 10, 31))
    assert (m.tib_min, m.tst_min) == (540, 405)


def test_a_wall_time_inside_the_spring_gap_is_moved_on():
    d = diary_from_clock(date(2026, 3, 7), NY, **{**EXAMPLE, "bed": "02:30", "tried": "02:30",
                                                   "final": "09:00", "up": "09:00"})
    assert d.bed.hour == 3 and d.bed.utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(final="23:30"), "final"),  # woke for good before falling asleep (23:00 + 45)
        (dict(final="22:50", up="23:55"), "final"),  # woke "before bed": a slip, not a 23-hour night
        (dict(waso=500), "waso"),  # awake longer than the sleep period
        (dict(up="06:00"), "up"),  # out of bed before the final awakening
        (dict(awakenings=0), "awakenings"),  # minutes awake with no awakening
        (dict(quality=6), "quality"),
        (dict(quality=0), "quality"),
        (dict(rested=9), "rested"),
        (dict(latency=-5), "latency"),
        (dict(latency="ten"), "latency"),
        (dict(latency=""), "latency"),
        (dict(latency=10**9), "latency"),
        (dict(bed="25:99"), "bed"),
        (dict(bed=""), "bed"),
        (dict(final="7"), "final"),
        (dict(awakenings=2.5), "awakenings"),
    ],
)
def test_impossible_or_bad_answers_name_their_field(changes, field):
    with pytest.raises(InvalidInput) as err:
        metrics(**changes)
    assert err.value.field == field


def aware(h, m, day=20):
    return datetime(2026, 11, day, h, m, tzinfo=UTC)


def test_out_of_bed_before_bed_and_nights_over_24h_are_rejected():
    base = dict(bed=aware(23, 0), tried=aware(23, 0), latency_min=10, awakenings=0, waso_min=0,
                final=aware(6, 0, 21), up=aware(7, 0, 21), quality=3)
    with pytest.raises(InvalidInput, match="not after going to bed") as err:
        compute_metrics(Diary(**{**base, "up": aware(22, 0)}))
    assert err.value.field == "up"
    with pytest.raises(InvalidInput, match="24 hours"):
        compute_metrics(Diary(**{**base, "final": aware(6, 0, 22), "up": aware(7, 0, 22)}))
    with pytest.raises(InvalidInput) as err:
        compute_metrics(Diary(**{**base, "tried": aware(22, 0)}))
    assert err.value.field == "tried"


def test_symptoms_and_formatting():
    assert parse_symptom("Nausea:2").severity == 2
    assert parse_symptom("diarrhea").kind == "diarrhoea"
    for bad in ("", "hiccups", "nausea:4", "nausea:x"):
        with pytest.raises(InvalidInput):
            parse_symptom(bad)
    assert format_minutes(345) == "5h45"
    assert format_minutes(None) == "—"


clock = st.one_of(st.text(max_size=8), st.from_regex(r"\A\d{1,2}:\d{2}\Z"))
number = st.one_of(st.none(), st.text(max_size=6), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=True, allow_infinity=True))


@given(bed=clock, final=clock, up=clock, latency=number, awakenings=number, waso=number,
       quality=number, night=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
       zone=st.sampled_from(["America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"]))
def test_any_input_gives_a_diary_or_a_clear_error(bed, final, up, latency, awakenings, waso,
                                                   quality, night, zone):
    try:
        d = diary_from_clock(night, ZoneInfo(zone), bed=bed, tried=None, latency=latency,
                             awakenings=awakenings, waso=waso, final=final, up=up, quality=quality)
    except InvalidInput as err:
        assert err.field and err.message
    else:
        m = compute_metrics(d)
        assert 0 <= m.tst_min <= m.tib_min <= 24 * 60 and 0 <= m.se_pct <= 100
