"""The honest answer assembled from what the store read: the headline, the comparisons, the
trials, adherence, regularity, timing and the advice. Pure: `store.insights.load_insights` reads
the nights and hands them here, so the app, `magsleep insights` and the report compute one way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from magsleep.domain.blinding import BlindedResult, analyse_blinded
from magsleep.domain.comparison import Comparison, all_comparisons
from magsleep.domain.dose_timing import timing_comparison, timing_spread
from magsleep.domain.first_weeks import FirstWeeks, first_weeks_progress, professional_advice
from magsleep.domain.headline import Effect, headline
from magsleep.domain.n_of_1 import NightData, TrialPlan, TrialResult, analyse
from magsleep.domain.regularity import Regularity, regularity_at
from magsleep.domain.settings import Settings
from magsleep.domain.trend import OUTCOMES, NightPoint


@dataclass(frozen=True)
class Insights:
    """The honest answer: the headline, comparisons, the trials, adherence and advice."""

    points: tuple[NightPoint, ...]
    comparisons: tuple[Comparison, ...]
    verdict: str
    """The headline in words: about the primary outcome (or the randomised trial's)."""
    effect: Effect
    first_weeks: FirstWeeks
    plan: TrialPlan | None
    randomised: TrialResult | None
    advice: tuple[str, ...]
    side_effects: dict[str, int]
    nights_over_limit: int
    adherence: dict[str, tuple[int, int]]  # active item label: (nights done, logged nights it counted)
    settings: Settings
    regularity: Regularity
    """Midpoint SD and Sleep Regularity Index over the last 14 nights logged."""
    timing: Comparison
    """Time to fall asleep, doses 30-60 minutes before bed against other timings (secondary)."""
    timing_spread: dict[str, int]
    """Dosed nights by minutes from the last dose to trying to sleep."""
    plan_notice: str | None = None
    """What is wrong with the current trial plan when it was changed outside magsleep (then `plan`
    is None: such a plan is reported, never analysed)."""
    blinding: BlindedResult | None = None
    """A blinded plan's result: A minus B while sealed (then `randomised` is None: no call), and the
    blinding check once unblinded (then `randomised` is the ordinary call)."""

    def as_dict(self) -> dict[str, Any]:
        t = self.first_weeks
        return {
            "verdict": self.verdict,
            "magnesium_effect": self.effect.as_dict(),
            "randomised_trial": (self.blinding.as_dict() if self.blinding else
                                 {**self.randomised.as_dict(), "blinded": False, "blinding": None}
                                 if self.randomised else None),
            "comparisons": [c.as_dict() for c in self.comparisons],
            "first_weeks": {"start": t.start.isoformat() if t.start else None, "length": t.length,
                      "nights_done": t.nights_done, "nights_with_dose": t.nights_with_dose,
                      "consistency": round(t.consistency, 3), "current_streak": t.current_streak,
                      "longest_streak": t.longest_streak, "weekly_mg": [round(w, 1) for w in t.weekly_mg],
                      "dose_jumped": t.jumped},
            "adherence": {label: {"done": done, "nights": nights} for label, (done, nights) in self.adherence.items()},
            "regularity": self.regularity.as_dict(),
            "timing": {"spread": self.timing_spread, "comparison": self.timing.as_dict()},
            "side_effects": self.side_effects,
            "nights_over_limit": self.nights_over_limit,
            "advice": list(self.advice),
            "trial_plan_problem": self.plan_notice,
        }


def assemble(last: date, *, points: Sequence[NightPoint], totals: Mapping[date, float],
             side_effects: dict[str, int], side_effect_nights: int,
             adherence: dict[str, tuple[int, int]], settings: Settings, plan: TrialPlan | None,
             plan_nights: Mapping[date, NightData], plan_notice: str | None = None,
             guesses: Mapping[date, str] | None = None) -> Insights:
    """Insights up to night `last` from the nights read: `totals` are elemental mg per dosed
    night, `plan_nights` the randomised trial's nights, `guesses` a blinded one's guesses."""
    randomised, blinded = None, None
    if plan is not None and plan.start <= last and plan.blinded:
        blinded = analyse_blinded(plan, dict(plan_nights), last, guesses or {})
        randomised = blinded.unblinded
    elif plan is not None and plan.start <= last:
        randomised = analyse(plan, dict(plan_nights), last)
    weeks = first_weeks_progress(dict(totals), settings.first_weeks_start, settings.first_weeks_length, last)
    comparisons = tuple(all_comparisons(points, weeks.start))
    effect, words = headline(points, OUTCOMES[settings.primary_outcome], comparisons, weeks.start, randomised)
    if blinded is not None and blinded.unblinded is None:
        # Sealed: the trial speaks in bags (a diary's "magnesium night" would be any bag night).
        words = blinded.text()
    over = sum(1 for mg in totals.values() if mg > settings.daily_limit_mg)
    advice = professional_advice(points, side_effect_nights=side_effect_nights, nights_over_limit=over,
                                 first_weeks=weeks,
                                 # Only a randomised trial's "better" is an effect: a diary's is an
                                 # association and never stands in for the advice.
                                 improved=effect.claim == "effect" and effect.direction == "better")
    return Insights(tuple(points), comparisons, words, effect, weeks, plan, randomised, tuple(advice),
                    side_effects, over, adherence, settings,
                    regularity_at({p.night: p.span for p in points if p.span is not None}, last),
                    timing_comparison(points), timing_spread(points), plan_notice, blinded)
