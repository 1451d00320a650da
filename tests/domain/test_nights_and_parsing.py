"""Which night a moment belongs to, and the shared parsers."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from magsleep.domain.errors import InvalidInput
from magsleep.domain.nights import last_night, night_of
from magsleep.domain.parsing import clean_note, parse_clock, parse_int, parse_moment
from magsleep.domain.settings import Settings, parse_setting, settings_from_text


@pytest.mark.parametrize(
    "moment, night",
    [
        (datetime(2026, 11, 24, 23, 59), date(2026, 11, 24)),
        (datetime(2026, 11, 25, 0, 0), date(2026, 11, 24)),
        (datetime(2026, 11, 25, 0, 1), date(2026, 11, 24)),
        (datetime(2026, 11, 25, 1, 30), date(2026, 11, 24)),
        (datetime(2026, 11, 25, 11, 59), date(2026, 11, 24)),
        (datetime(2026, 11, 25, 12, 0), date(2026, 11, 25)),
    ],
)
def test_night_rollover_at_the_boundary(moment, night):
    assert night_of(moment) == night


def test_rollover_setting_moves_the_boundary():
    assert night_of(datetime(2026, 11, 25, 5, 0), rollover_hour=4) == date(2026, 11, 25)
    assert night_of(datetime(2026, 11, 25, 3, 59), rollover_hour=4) == date(2026, 11, 24)


def test_last_night_in_the_morning_and_the_evening():
    assert last_night(datetime(2026, 11, 25, 7, 0)) == date(2026, 11, 24)
    assert last_night(datetime(2026, 11, 25, 21, 0)) == date(2026, 11, 24)
    assert last_night(datetime(2026, 11, 25, 7, 0), rollover_hour=0) == date(2026, 11, 24)


def test_clock_parsing():
    assert parse_clock("7:05", "bed") == time(7, 5)
    assert parse_clock("23.30", "bed") == time(23, 30)
    for bad in ("24:00", "25:99", "7", "", "ab:cd", "12:60"):
        with pytest.raises(InvalidInput):
            parse_clock(bad, "bed")


def test_moment_and_int_parsing():
    assert parse_moment("21:30", "at", today=date(2026, 1, 2)) == datetime(2026, 1, 2, 21, 30)
    assert parse_moment("2026-01-01T22:00", "at", today=date(2026, 1, 2)).day == 1
    with pytest.raises(InvalidInput):
        parse_moment("yesterday", "at", today=date(2026, 1, 2))
    with pytest.raises(InvalidInput, match="whole number"):
        parse_int("2.5", "n", minimum=0, maximum=9)


def test_notes_are_cleaned_and_bounded():
    assert clean_note("  hi\x07 there ") == "hi there"
    assert clean_note("   ") is None
    with pytest.raises(InvalidInput):
        clean_note("x" * 2001)


def test_settings_parse_and_fall_back():
    assert parse_setting("rollover_hour", "4") == 4
    with pytest.raises(InvalidInput):
        parse_setting("daily_limit_mg", "-1")
    assert settings_from_text({"rollover_hour": "banana", "trial_length": "42"}) == Settings(first_weeks_length=42)
    # a key stored before the rename is read under its new name; the new one wins when both are there
    assert settings_from_text({"trial_length": "42", "first_weeks_length": "30"}).first_weeks_length == 30
