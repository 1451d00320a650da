"""The trial calendar the Trial screen draws: every night of the plan in its week, tonight marked."""

from __future__ import annotations

from datetime import date, timedelta

from magsleep.domain.trial_calendar import assignment, calendar_weeks, week_line
from magsleep.domain.trial_plan import make_plan

START = date(2026, 12, 2)  # a Wednesday


def test_every_night_of_the_plan_is_in_its_week_with_its_phase():
    plan = make_plan(START, "2026-12-01T20:00:00+00:00", baseline=3, period=5, pairs=3, washout=1,
                     draw=lambda _: "on-off")
    weeks = calendar_weeks(plan, START + timedelta(days=3))
    nights = [n for week in weeks for n in week]
    assert all(week[0].night.weekday() == 0 for week in weeks)
    inside = [n for n in nights if n.phase is not None]
    assert [n.night for n in inside] == [s.night for s in plan.schedule()]
    assert [n.symbol for n in inside[:10]] == ["b", "b", "b", "m", "M", "M", "M", "M", "·", "-"]
    assert sum(n.tonight for n in nights) == 1 and inside[3].tonight
    assert week_line(weeks[0]) == "30 Nov 26       " + " b  b  b [m] M "
    assert assignment(plan, START) == "baseline, no magnesium"
    assert assignment(plan, START + timedelta(days=3)) == "magnesium (settling in, not counted)"
    assert assignment(plan, START - timedelta(days=1)) == "before the trial"
    assert assignment(plan, plan.end + timedelta(days=1)) == "after the trial"
