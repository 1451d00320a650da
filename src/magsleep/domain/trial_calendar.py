"""A trial plan as a calendar: one row per week (Monday first), one cell per night, with its
phase, whether it counts, and tonight marked. What the Trial screen draws; pure, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from magsleep.domain.reminders import trial_night_wording
from magsleep.domain.trial_plan import TrialPlan

SYMBOLS = {"baseline": "b", "on": "M", "off": "-"}
"""Letters, not colours alone, so the calendar reads in grey scale: M magnesium, - none, b baseline;
a settling-in night (kept to the plan, not counted) is written in lower case / a dot."""
SETTLING = {"on": "m", "off": "·"}
LEGEND = "M magnesium night · - no magnesium · b baseline (no magnesium) · m / · settling in, not counted · [ ] tonight"


@dataclass(frozen=True)
class CalendarNight:
    night: date
    phase: str | None  # "baseline" | "on" | "off"; None outside the plan (before its start, after its end)
    counts: bool
    tonight: bool

    @property
    def symbol(self) -> str:
        if self.phase is None:
            return " "
        if not self.counts and self.phase in SETTLING:
            return SETTLING[self.phase]
        return SYMBOLS.get(self.phase, self.phase[:1])  # a blinded plan's bags: their letter


def calendar_weeks(plan: TrialPlan, tonight: date) -> list[list[CalendarNight]]:
    """Every week the plan touches, Monday to Sunday; nights outside the plan have no phase."""
    first = plan.start - timedelta(days=plan.start.weekday())
    last = plan.end + timedelta(days=6 - plan.end.weekday())
    weeks: list[list[CalendarNight]] = []
    day = first
    while day <= last:
        week = []
        for _ in range(7):
            entry = plan.night(day)
            week.append(CalendarNight(day, entry.phase if entry else None, entry.counts if entry else False,
                                      day == tonight))
            day += timedelta(days=1)
        weeks.append(week)
    return weeks


def week_line(week: list[CalendarNight]) -> str:
    """One week as text: the Monday's date, then a three-character cell a night."""
    cells = "".join(f"[{n.symbol}]" if n.tonight else f" {n.symbol} " for n in week)
    return f"{week[0].night:%d %b %y} {cells}"


def assignment(plan: TrialPlan, night: date) -> str:
    """What the plan says for one night, in a few words."""
    entry = plan.night(night)
    if entry is None:
        return "before the trial" if night < plan.start else "after the trial"
    what = "baseline, no magnesium" if entry.phase == "baseline" else trial_night_wording(entry.phase)
    return what + ("" if entry.counts or entry.phase == "baseline" else " (settling in, not counted)")
