"""The weekly trend: each week's mean with and without magnesium, its 95% band from three nights,
in the unit the axis shows, and no line across a week without nights."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from magsleep.domain.trend import NightPoint
from magsleep.render.week_chart import week_chart, week_means

MON = date(2026, 10, 5)
NS = "{http://www.w3.org/2000/svg}"


def night(day: int, tst: float, mg: float) -> NightPoint:
    return NightPoint(MON + timedelta(days=day), 90.0, tst, 20.0, 3.0, mg)


def test_week_means_bands_and_units():
    # Week 1: three magnesium nights (7, 8, 9 h) and one without; week 2: none; week 3: two with.
    points = [night(0, 420, 200), night(1, 480, 200), night(2, 540, 200), night(3, 400, 0),
              night(14, 450, 200), night(15, 450, 200)]
    on = week_means(points, "tst_min", True)
    assert [(w.week, round(w.mean, 2), w.nights) for w in on] == [(MON, 8.0, 3), (MON + timedelta(days=14), 7.5, 2)]
    assert on[0].low is not None and on[0].high is not None and round(on[0].high - 8.0, 2) == round(8.0 - on[0].low, 2)
    assert round(on[0].high - 8.0, 2) == 2.48  # t(2) 4.303 x SD 1 h / sqrt(3)
    assert on[1].low is None  # two nights give no band
    svg = ET.fromstring(week_chart(points, ["tst_min", "se_pct"]))
    lines = [p for p in svg.iter(f"{NS}polyline") if p.get("class") == "line with"]
    # Three weeks on the axis; the magnesium weeks 1 and 3 are not joined across the empty week 2.
    assert lines == [] and len([c for c in svg.iter(f"{NS}circle")]) == 4  # two points in each panel
    assert len([p for p in svg.iter(f"{NS}polygon")]) == 0  # a band needs two banded weeks in a row
    texts = [t.text for t in svg.iter(f"{NS}text")]
    assert "Total sleep (h), mean by week" in texts and "Sleep efficiency (%), mean by week" in texts
