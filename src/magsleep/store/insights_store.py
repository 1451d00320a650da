"""Everything the insights need, read with a few aggregate queries and computed by the domain.

The app, `magsleep insights` and the report all come through `load_insights`, so the answer is
computed one way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from magsleep.domain.comparison import Comparison, all_comparisons
from magsleep.domain.dose_timing import timing_comparison, timing_spread
from magsleep.domain.headline import Effect, headline
from magsleep.domain.n_of_1 import TrialPlan, TrialResult, analyse
from magsleep.domain.regularity import MIDPOINT_NIGHTS, Regularity, regularity
from magsleep.domain.settings import Settings
from magsleep.domain.trend import OUTCOMES, NightPoint
from magsleep.domain.trial import Trial, professional_advice, trial_progress
from magsleep.store.nights import recent_diaries
from magsleep.store.settings_store import load_settings
from magsleep.store.trials import current_trial
from magsleep.store.views import ITEM_COUNTS, ITEM_DONE, trend_points, trial_nights


@dataclass(frozen=True)
class Insights:
    """The honest answer: the headline, comparisons, the trials, adherence and advice."""

    points: tuple[NightPoint, ...]
    comparisons: tuple[Comparison, ...]
    verdict: str
    """The headline in words: about the primary outcome (or the randomised trial's)."""
    effect: Effect
    trial: Trial
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

    def as_dict(self) -> dict:
        t = self.trial
        return {
            "verdict": self.verdict,
            "magnesium_effect": self.effect.as_dict(),
            "randomised_trial": self.randomised.as_dict() if self.randomised else None,
            "comparisons": [c.as_dict() for c in self.comparisons],
            "trial": {"start": t.start.isoformat() if t.start else None, "length": t.length,
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
        }


def load_insights(last: date, *, session: Session, points: list[NightPoint] | None = None,
                  start: date | None = None, end: date | None = None) -> Insights:
    """Insights up to night `last`, optionally only for nights `start`..`end` (the report's period).

    `points` are the trend's points when the caller has just read them (the dashboard has).
    """
    conn = session.connection()
    first, final = (start or date.min).isoformat(), (end or date.max).isoformat()
    if end is not None:
        last = min(last, end)
    totals = {date.fromisoformat(day): round(float(mg), 1) for day, mg in conn.exec_driver_sql(
        "SELECT n.date, sum(d.elemental_mg) FROM dose d JOIN night n ON n.id = d.night_id "
        "WHERE n.date BETWEEN ? AND ? GROUP BY n.date", (first, final))}
    side = {kind: count for kind, count in conn.exec_driver_sql(
        "SELECT s.kind, count(*) FROM symptom s JOIN night n ON n.id = s.night_id WHERE n.date BETWEEN ? AND ? "
        "GROUP BY s.kind ORDER BY min(s.id)", (first, final))}
    side_nights = conn.exec_driver_sql(
        "SELECT count(DISTINCT s.night_id) FROM symptom s JOIN night n ON n.id = s.night_id "
        "WHERE n.date BETWEEN ? AND ?", (first, final)).scalar() or 0
    # Every active item on every logged night (a night with a diary) since the item was added.
    adherence = {label: (int(done or 0), int(nights)) for label, nights, done in conn.exec_driver_sql(
        f"SELECT i.label, count(n.id), sum({ITEM_DONE}) FROM routine_item i "
        f"LEFT JOIN night n ON n.bed IS NOT NULL AND n.date BETWEEN ? AND ? AND {ITEM_COUNTS} "
        "WHERE i.active = 1 GROUP BY i.id ORDER BY i.position, i.id", (first, final))}
    if points is None:
        points = trend_points(session=session)
    if start is not None or end is not None:
        points = [p for p in points if (start is None or p.night >= start) and (end is None or p.night <= end)]
    settings = load_settings(session=session)
    plan = current_trial(session=session)
    randomised = None
    if plan is not None and plan.start <= last:
        randomised = analyse(plan, trial_nights(plan, session=session), last)
    trial = trial_progress(totals, settings.trial_start, settings.trial_length, last)
    comparisons = tuple(all_comparisons(points, trial.start))
    effect, words = headline(points, OUTCOMES[settings.primary_outcome], comparisons, trial.start, randomised)
    over = sum(1 for mg in totals.values() if mg > settings.daily_limit_mg)
    advice = professional_advice(points, side_effect_nights=side_nights, nights_over_limit=over, trial=trial,
                                 improved=effect.direction == "better")
    recent = recent_diaries(last + timedelta(days=1), session=session, nights=MIDPOINT_NIGHTS)
    return Insights(tuple(points), comparisons, words, effect, trial, plan, randomised, tuple(advice), side,
                    over, adherence, settings, regularity(recent), timing_comparison(points), timing_spread(points))
