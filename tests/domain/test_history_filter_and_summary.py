"""History's filter words, the trend's one-line summary and its axis ticks, checked without the app."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magsleep.domain.history_filter import HistoryFilter, parse_filter
from magsleep.domain.trend import NightPoint, axis_ticks, summary, tick_label


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


@given(st.floats(-200, 200), st.floats(0.01, 400), st.booleans())
def test_axis_ticks_are_round_inside_the_range_and_whole_on_whole_scales(low, width, whole):
    high = low + width
    if whole:
        low, high = float(math.floor(low)), float(math.ceil(high))
    ticks = axis_ticks(low, high, whole=whole)
    assert 1 <= len(ticks) <= 5
    assert all(low - 1e-6 <= t <= high + 1e-6 for t in ticks)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else None
    if whole:
        assert all(t == int(t) for t in ticks)
    if step is not None:
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5, 10))
    assert all(len(tick_label(t)) <= 8 for t in ticks)  # two decimals at most


def test_tick_labels_read_as_written():
    assert [tick_label(t) for t in (3.0, 2.5, 0.25, -50.0, 0.1)] == ["3", "2.5", "0.25", "-50", "0.1"]
    assert axis_ticks(1, 5, whole=True) == [1, 2, 3, 4, 5]
    assert axis_ticks(83.7, 91.4) == [84, 86, 88, 90]
