"""The sleep-diary chart, parsed: a row per night (missing ones too), bars and dose marks where the
diary puts them, weekends marked, trial labels (blinded too), every text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from magsleep.domain.magnesium import dose_amount
from magsleep.domain.n_of_1 import make_plan
from magsleep.domain.sleep_diary import Diary, Symptom
from magsleep.render.diary_chart import LEFT, PX_PER_MIN, diary_chart, trial_labels
from magsleep.store.doses import add_dose
from magsleep.store.nights import save_diary
from magsleep.store.report_data import load_report_data

ZONE = ZoneInfo("Europe/London")
NS = {"s": "http://www.w3.org/2000/svg"}
MON = date(2026, 10, 19)  # a Monday; the clocks go back in the night of Saturday 24 October


def at(night: date, clock: str, next_day: bool = False) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime(night.year, night.month, night.day, hour, minute, tzinfo=ZONE) + timedelta(days=int(next_day))


def diary(night: date, bed: str, tried: str, latency: int, final: str, up: str, *, bed_next: bool = False) -> Diary:
    return Diary(at(night, bed, bed_next), at(night, tried, bed_next), latency, 1, 10, at(night, final, True),
                 at(night, up, True), 3)


@pytest.fixture
def nights(store):
    """Mon: a whole night and a dose; Tue: nothing; Wed: to bed after midnight, up after noon, two
    doses; Thu: a dose, no diary; Fri and Sat (the clocks go back): diaries."""
    glycinate = dose_amount("glycinate", 200)
    with store.writing() as session:
        save_diary(MON, diary(MON, "22:30", "22:45", 20, "06:30", "07:00"), session=session)
        add_dose(MON, at(MON, "21:45"), glycinate, session=session)
        wed = MON + timedelta(days=2)
        save_diary(wed, diary(wed, "00:30", "00:40", 5, "09:15", "12:30", bed_next=True),
                   symptoms=[Symptom("nausea", 2)], session=session)
        add_dose(wed, at(wed, "20:00"), dose_amount("citrate", 100), session=session)
        add_dose(wed, at(wed, "22:00"), dose_amount("glycinate", 150), session=session)
        add_dose(MON + timedelta(days=3), at(MON + timedelta(days=3), "22:10"), glycinate, session=session)
        for day in (4, 5):
            night = MON + timedelta(days=day)
            save_diary(night, diary(night, "23:00", "23:00", 10, "07:00", "07:30"), session=session)
    with store.reading() as session:
        return load_report_data(MON + timedelta(days=6), session=session, start=MON - timedelta(days=1))


def rows(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-night"): g for g in root.iter(f"{{{NS['s']}}}g") if "night" in (g.get("class") or "").split()}


def x(minutes_after_six_pm: float) -> float:
    return LEFT + minutes_after_six_pm * PX_PER_MIN


def rect(row: ET.Element, kind: str) -> tuple[float, float] | None:
    found = row.find(f"s:rect[@class='{kind}']", NS)
    return None if found is None else (float(found.get("x")), float(found.get("width")))


def test_every_night_is_a_row_with_its_bars_and_doses_where_the_diary_puts_them(nights):
    svg = diary_chart(nights.records, nights.first, nights.last)
    by_night = rows(svg)
    expected = [str(nights.first + timedelta(days=i)) for i in range(8)]
    assert list(by_night) == expected  # Sunday to Sunday: one row each, in order, none skipped
    mon = by_night[str(MON)]
    assert rect(mon, "in-bed") == (x(270), 510 * PX_PER_MIN)  # 22:30 to 07:00
    assert rect(mon, "asleep") == (x(305), (750 - 305) * PX_PER_MIN)  # 22:45 + 20 min to 06:30
    assert [(d.get("data-mg"), d.get("data-time")) for d in mon.findall("s:g[@class='dose']", NS)] == [("200", "21:45")]
    assert "200 mg" in "".join(mon.itertext())

    tue = by_night[str(MON + timedelta(days=1))]
    assert "missing" in tue.get("class") and rect(tue, "in-bed") is None and "not logged" in "".join(tue.itertext())
    assert "missing" in by_night[str(nights.first)].get("class")

    wed = by_night[str(MON + timedelta(days=2))]
    # In bed 00:30 (390 min after 18:00); out of bed 12:30 is past the axis: drawn to 12:00.
    assert rect(wed, "in-bed") == (x(390), (1080 - 390) * PX_PER_MIN)
    assert rect(wed, "asleep") == (x(405), (915 - 405) * PX_PER_MIN)
    doses = wed.findall("s:g[@class='dose']", NS)
    assert [d.get("data-mg") for d in doses] == ["100", "150"]
    assert [float(d.find("s:path", NS).get("d").split()[0][1:].split(",")[0]) + 3 for d in doses] == [x(120), x(240)]

    thu = by_night[str(MON + timedelta(days=3))]
    assert "missing" not in thu.get("class") and rect(thu, "in-bed") is None
    assert len(thu.findall("s:g[@class='dose']", NS)) == 1

    # Saturday's night is 25 hours long; drawn as the clock read: 23:00 to 07:30.
    sat = by_night[str(MON + timedelta(days=5))]
    assert rect(sat, "in-bed") == (x(300), 510 * PX_PER_MIN)
    weekends = [n for n, g in by_night.items() if "weekend" in g.get("class").split()]
    assert weekends == [str(MON + timedelta(days=4)), str(MON + timedelta(days=5))]


def test_trial_nights_are_labelled_by_phase_or_while_blinded_by_period_only(nights):
    orders = iter(["off-on", "on-off"])
    plan = make_plan(MON, "2026-10-18T20:00:00+00:00", baseline=1, period=4, pairs=2, washout=0,
                     draw=lambda _: next(orders))
    last = MON + timedelta(days=9)  # into the second pair

    def phases(svg: str) -> list[str | None]:
        found = [g.find("s:text[@class='phase']", NS) for g in rows(svg).values()]
        return [None if t is None else t.text for t in found]

    shown = phases(diary_chart(nights.records, nights.first, last, label=trial_labels(plan)))
    assert shown == [None, "baseline", *["off"] * 4, *["on"] * 4, "on"]
    blinded = phases(diary_chart(nights.records, nights.first, last, label=trial_labels(plan, blinded=True)))
    assert blinded == [None, "baseline", *["period 1"] * 4, *["period 2"] * 4, "period 3"]


def test_every_text_in_the_chart_is_escaped(nights):
    hostile = '<script>alert("x")</script> & \x1b]0;owned\x07 \ufffe'

    svg = diary_chart(nights.records, nights.first, nights.last, label=lambda night: hostile, title=hostile)
    root = ET.fromstring(svg)  # well-formed XML: nothing got out of its text node
    assert root.find("s:title", NS).text.startswith('<script>alert("x")</script> & ␛]0;owned␇')
    assert not root.findall(".//s:script", NS) and "\x1b" not in svg and "\x07" not in svg
    labels = {t.text for t in root.iter(f"{{{NS['s']}}}text") if t.get("class") == "phase"}
    assert labels == {'<script>alert("x")</script> & ␛]0;owned␇ \ufffd'}
