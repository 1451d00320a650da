"""The first weeks ("give it a few weeks"): progress, dose consistency and when to see a professional.

Not the randomised trial (`n_of_1`, `trial_plan`): this is only how far the person is into their
first weeks of taking magnesium, and how steadily they took it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from magsleep.domain.magnesium import CONSULT, JUMP_RATIO
from magsleep.domain.trend import NightPoint

SIDE_EFFECT_NIGHTS = 3
LOW_EFFICIENCY = 85.0


@dataclass(frozen=True)
class FirstWeeks:
    """Where the person is in their first weeks of magnesium, and how steadily they took it."""

    start: date | None
    length: int
    nights_done: int
    nights_with_dose: int
    current_streak: int
    longest_streak: int
    weekly_mg: tuple[float, ...]  # average nightly elemental mg per week (dosed nights)
    jumped: bool

    @property
    def finished(self) -> bool:
        return self.start is not None and self.nights_done >= self.length

    @property
    def consistency(self) -> float:
        return self.nights_with_dose / self.nights_done if self.nights_done else 0.0

    def progress_text(self) -> str:
        if self.start is None:
            return "The first weeks start with your first dose."
        if self.finished:
            return (f"First weeks done: {self.length} nights from {self.start:%d %b %Y}. "
                    f"Doses on {self.nights_with_dose} of {self.nights_done} nights ({self.consistency:.0%}).")
        return (f"First weeks: night {self.nights_done} of {self.length} (started {self.start:%d %b}). "
                f"Doses on {self.nights_with_dose} of {self.nights_done} nights ({self.consistency:.0%}); "
                f"streak {self.current_streak}, longest {self.longest_streak}. Give it a few weeks.")

    def dose_rise_text(self) -> str:
        if len(self.weekly_mg) < 2:
            return "Dose by week: not enough weeks yet."
        weeks = " → ".join(f"{mg:.0f}" for mg in self.weekly_mg)
        verdict = "jumped (a rise of more than 50% in a week)" if self.jumped else "rose gradually or held steady"
        return f"Average nightly mg by week: {weeks}; it {verdict}."


def first_weeks_progress(dose_totals: dict[date, float], start: date | None, length: int, last: date) -> FirstWeeks:
    """Progress from `start` (or the first dose) up to night `last` (inclusive).

    `dose_totals` maps each night with a dose to its elemental total.
    """
    if start is None:
        dosed = sorted(n for n, mg in dose_totals.items() if mg > 0)
        start = dosed[0] if dosed else None
    if start is None or last < start:
        return FirstWeeks(start, length, 0, 0, 0, 0, (), False)
    end = min(last, start + timedelta(days=length - 1))
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    taken = [dose_totals.get(d, 0) > 0 for d in days]
    longest = current = 0
    for i in range((last - start).days + 1):  # streaks count every night since the start
        current = current + 1 if dose_totals.get(start + timedelta(days=i), 0) > 0 else 0
        longest = max(longest, current)
    # The current streak counts back from the latest night (tonight may not be dosed yet).
    streak = 0
    day = last
    while dose_totals.get(day, 0) > 0:
        streak += 1
        day -= timedelta(days=1)
    weekly = []
    for w in range(0, len(days), 7):
        week = [dose_totals[d] for d in days[w:w + 7] if dose_totals.get(d, 0) > 0]
        if week:
            weekly.append(sum(week) / len(week))
    jumped = any(b > a * JUMP_RATIO for a, b in zip(weekly, weekly[1:]))
    return FirstWeeks(start, length, len(days), sum(taken), streak, longest, tuple(weekly), jumped)


def professional_advice(points: Sequence[NightPoint], *, side_effect_nights: int, nights_over_limit: int,
                        first_weeks: FirstWeeks, improved: bool) -> list[str]:
    """The reasons, if any, to talk to a healthcare professional; said plainly, without drama."""
    advice = []
    if side_effect_nights >= SIDE_EFFECT_NIGHTS:
        advice.append(f"Side effects were logged on {side_effect_nights} nights. {CONSULT}")
    if nights_over_limit:
        advice.append(f"The daily limit was exceeded on {nights_over_limit} "
                      f"night{'s' if nights_over_limit != 1 else ''}. {CONSULT}")
    if first_weeks.finished and not improved:
        advice.append(f"Your first {first_weeks.length} nights of magnesium are done with no clear improvement. "
                      "Poor sleep that goes on is worth "
                      f"discussing: {CONSULT[0].lower()}{CONSULT[1:]}")
    if first_weeks.finished and first_weeks.start is not None:
        after = [p.se_pct for p in points if p.se_pct is not None
                 and p.night >= first_weeks.start + timedelta(days=first_weeks.length)]
        low = sum(1 for se in after if se < LOW_EFFICIENCY)
        if len(after) >= 7 and low * 2 > len(after):
            advice.append(f"Sleep efficiency was under {LOW_EFFICIENCY:.0f}% on {low} of {len(after)} nights "
                          f"since the first weeks. {CONSULT}")
    return advice
