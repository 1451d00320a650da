"""History's filter words and the trend's one-line summary, checked without the app."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from magsleep.domain.history_filter import HistoryFilter, parse_filter
from magsleep.domain.trend import NightPoint, summary


@pytest.mark.parametrize("query, expected", [
    ("", HistoryFilter()),
    ("on", HistoryFilter(magnesium=True)),
    ("OFF", HistoryFilter(magnesium=False)),
    ("2026-11", HistoryFilter(month="2026-11")),
    ("nov", HistoryFilter(month="-11-")),
    ("November 2026", HistoryFilter(month="2026-11")),
    ("2026 sep", HistoryFilter(month="2026-09")),
    ("may on cramps", HistoryFilter(text="cramps", magnesium=True, month="-05-")),
    ("on off", HistoryFilter(text="off", magnesium=True)),  # the first on/off decides; the other is text
    ("late dinner", HistoryFilter(text="late dinner")),
    ("2026", HistoryFilter(text="2026")),  # a year alone is text (it matches the dates)
])
def test_parse_filter(query, expected):
    assert parse_filter(query) == expected


def test_a_filter_keeps_only_matching_nights():
    nov_on = ("2026-11-03", True, "200 glycinate cramps")
    nov_off = ("2026-11-04", False, "— late dinner")
    oct_on = ("2025-10-03", True, "200 citrate")
    rows = [nov_on, nov_off, oct_on]
    kept = lambda q: [r for r in rows if parse_filter(q).matches(*r)]  # noqa: E731
    assert kept("on") == [nov_on, oct_on]
    assert kept("off") == [nov_off]
    assert kept("nov") == [nov_on, nov_off]
    assert kept("october 2025") == [oct_on]
    assert kept("oct 2026") == []
    assert kept("Cramps") == [nov_on]
    assert kept("nov on citrate") == []


def night(i: int, se: float, on: bool) -> NightPoint:
    return NightPoint(date(2026, 10, 1) + timedelta(days=i), se, 420, 20, 3, 200.0 if on else 0.0)


def test_summary_counts_and_compares_the_last_seven_with_the_first():
    assert summary([]) == "No nights logged yet: press l to log your first morning."
    assert summary([night(0, 80, False)]) == (
        "1 night logged, 0 with magnesium · the 7-night comparison needs 14 nights")
    points = [night(i, 80, False) for i in range(7)] + [night(7 + i, 86, True) for i in range(7)]
    assert summary(points) == (
        "14 nights logged, 7 with magnesium · last 7 nights 86.0% vs first 7 80.0% (+6.0 points)")


def test_summary_of_a_regularity_metric_waits_for_seven_nights():
    points = [night(i, 80, False) for i in range(3)]
    assert summary(points, "sri") == (
        "3 nights logged, 0 with magnesium · regularity needs 7 nights logged within the last 14")
