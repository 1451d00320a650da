"""A logged night is any night with a diary, a dose or a tick: adherence counts every one of them,
in `magsleep insights --json`, `insights` on the app's screen and the report alike."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from magsleep.domain.magnesium import dose_amount
from magsleep.domain.routine import TAKE_MAGNESIUM
from magsleep.domain.sleep_diary import diary_from_clock
from magsleep.local_time import local_zone

FIRST = date(2026, 10, 1)


def _seed(store) -> None:
    """Nights 1-10 ticked only, 11-12 dosed only, 13 with a diary only, 14 with only a note."""
    from magsleep import store as st

    with store.writing() as session:
        items = {i.label: i.id for i in st.routine.list_items(session=session)}
        wind_down = items["Wind-down routine"]
        for day in range(10):
            st.routine.set_check(FIRST + timedelta(days=day), wind_down, True, session=session)
        for day in (10, 11):
            night = FIRST + timedelta(days=day)
            taken = datetime.combine(night, datetime.min.time()).replace(hour=21, tzinfo=local_zone())
            st.doses.add_dose(night, taken, dose_amount("glycinate", "200"), session=session)
        night = FIRST + timedelta(days=12)
        diary = diary_from_clock(night, local_zone(), bed="23:00", tried=None, latency="10", awakenings=None,
                                 waso=None, final="06:30", up="07:00", quality="3")
        st.nights.save_diary(night, diary, session=session)
        st.nights.save_diary(FIRST + timedelta(days=13), None, note="only a note", session=session)
    assert TAKE_MAGNESIUM in items


def test_ticks_doses_and_diaries_each_make_a_logged_night(run, store):
    _seed(store)
    result = run("insights", "--json")
    assert result.exit_code == 0, result.output
    adherence = json.loads(result.stdout)["adherence"]
    # 13 logged nights; the note-only night is not one.
    assert adherence["Wind-down routine"] == {"done": 10, "nights": 13}
    assert adherence[TAKE_MAGNESIUM] == {"done": 2, "nights": 13}
    report = run("report").stdout  # Markdown: the label and the brackets are escaped
    assert "Wind\\-down routine: 10 of 13 logged nights \\(77%\\)" in report


def test_ten_nights_of_ticks_alone_are_ten_logged_nights(run, store):
    from magsleep import store as st

    with store.writing() as session:
        item = next(i for i in st.routine.list_items(session=session) if i.label == "Regular bedtime")
        for day in range(10):
            st.routine.set_check(FIRST + timedelta(days=day), item.id, True, session=session)
    adherence = json.loads(run("insights", "--json").stdout)["adherence"]
    assert adherence["Regular bedtime"] == {"done": 10, "nights": 10}
    assert adherence[TAKE_MAGNESIUM] == {"done": 0, "nights": 10}
