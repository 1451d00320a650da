"""The smallest dose magsleep takes, and moments typed with another offset (domain rules that the
command line, the app's dose form and import all use)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from magsleep.domain.errors import InvalidInput
from magsleep.domain.magnesium import MIN_AMOUNT_MG, dose_amount, parse_amount
from magsleep.domain.parsing import parse_moment


@pytest.mark.parametrize("amount", ["0.0000001", "0.09", "1e-9", 0.04])
def test_an_amount_below_what_a_label_states_is_refused(amount):
    with pytest.raises(InvalidInput) as err:
        parse_amount(amount)
    assert err.value.field == "amount" and f"less than {MIN_AMOUNT_MG:g} mg" in err.value.message
    with pytest.raises(InvalidInput):
        dose_amount("glycinate", amount)


def test_a_compound_weight_whose_magnesium_rounds_to_nothing_is_refused():
    with pytest.raises(InvalidInput, match="0.042 mg of magnesium"):
        dose_amount("threonate", "0.5", compound=True)
    with pytest.raises(InvalidInput, match="mg of magnesium"):
        dose_amount("other", "1", compound=True, percent="0.5")
    assert dose_amount("oxide", "0.2", compound=True).elemental_mg == 0.1
    assert dose_amount("glycinate", "0.1").elemental_mg == 0.1


def test_a_moment_is_put_on_the_local_clock_of_its_instant():
    london = ZoneInfo("Europe/London")
    moment = parse_moment("2026-11-30T01:00+13:00", "--at", today=date(2026, 11, 30), zone=london)
    assert moment == datetime(2026, 11, 29, 12, 0, tzinfo=london) and moment.utcoffset().total_seconds() == 0
    naive = parse_moment("23:15", "--at", today=date(2026, 3, 28), zone=london)
    assert naive.isoformat() == "2026-03-28T23:15:00+00:00"
    # A wall time skipped by spring-forward moves on by the gap, as clocks do.
    assert parse_moment("2026-03-29T01:30", "--at", today=date(2026, 3, 29), zone=london).hour == 2


@pytest.mark.parametrize(("text", "message"), [
    ("0001-01-01T00:00+13:00", "too early"), ("2000-01-01T00:30+13:00", "too early"),
    ("9999-12-31T23:00-12:00", "out of range"), ("9999-12-31T23:59", "out of range"),
])
def test_a_moment_at_the_edge_of_the_calendar_is_a_message_not_an_overflow(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_moment(text, "--at", today=date(2026, 11, 30), zone=ZoneInfo("America/New_York"))
