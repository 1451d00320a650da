"""Everything the insights need, read in one go and computed by the domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from magsleep.domain.comparison import PRIMARY, Comparison, all_comparisons, verdict
from magsleep.domain.settings import Settings
from magsleep.domain.trend import NightPoint
from magsleep.domain.trial import Trial, professional_advice, trial_progress
from magsleep.store.records import NightRecord
from magsleep.store.settings_store import load_settings
from magsleep.store.views import night_points, trend_points


@dataclass(frozen=True)
class Insights:
    """The honest answer: comparisons, the verdict, trial progress and advice."""

    points: tuple[NightPoint, ...]
    comparisons: tuple[Comparison, ...]
    verdict: str
    trial: Trial
    advice: tuple[str, ...]
    side_effects: dict[str, int]
    nights_over_limit: int
    adherence: dict[str, tuple[int, int]]  # checklist label: (done, nights with that item)
    settings: Settings

    def as_dict(self) -> dict:
        t = self.trial
        return {
            "verdict": self.verdict,
            "comparisons": [c.as_dict() for c in self.comparisons],
            "trial": {"start": t.start.isoformat() if t.start else None, "length": t.length,
                      "nights_done": t.nights_done, "nights_with_dose": t.nights_with_dose,
                      "consistency": round(t.consistency, 3), "current_streak": t.current_streak,
                      "longest_streak": t.longest_streak, "weekly_mg": [round(w, 1) for w in t.weekly_mg],
                      "dose_jumped": t.jumped},
            "side_effects": self.side_effects,
            "nights_over_limit": self.nights_over_limit,
            "advice": list(self.advice),
        }


def insights_from(points: list[NightPoint], totals: dict[date, float], side: dict[str, int], side_nights: int,
                  adherence: dict[str, tuple[int, int]], settings: Settings, last: date) -> Insights:
    """The domain's answer from plain inputs (however they were read)."""
    trial = trial_progress(totals, settings.trial_start, settings.trial_length, last)
    comparisons = tuple(all_comparisons(points, trial.start))
    over = sum(1 for mg in totals.values() if mg > settings.daily_limit_mg)
    main = next((c for c in comparisons if c.metric == PRIMARY and c.kind == "on_off" and c.n_b), None) \
        or next((c for c in comparisons if c.metric == PRIMARY and c.kind == "before_after"), None)
    advice = professional_advice(points, side_effect_nights=side_nights, nights_over_limit=over, trial=trial,
                                 main=main)
    return Insights(tuple(points), comparisons, verdict(comparisons), trial, tuple(advice), side, over,
                    adherence, settings)


def compute_insights(records: list[NightRecord], settings: Settings, last: date) -> Insights:
    """Insights from fully loaded nights (the report has them anyway)."""
    totals = {r.night: r.elemental_mg for r in records if r.doses}
    side: dict[str, int] = {}
    for r in records:
        for s in r.symptoms:
            side[s.kind] = side.get(s.kind, 0) + 1
    adherence: dict[str, list[int]] = {}
    for r in records:
        for c in r.checks:
            entry = adherence.setdefault(c.label, [0, 0])
            entry[0] += c.done
            entry[1] += 1
    return insights_from(night_points(records), totals, side, sum(1 for r in records if r.symptoms),
                         {k: (v[0], v[1]) for k, v in adherence.items()}, settings, last)


def load_insights(last: date, *, session: Session, points: list[NightPoint] | None = None) -> Insights:
    """Insights from a few aggregate queries: fast with decades of nights.

    `points` are the trend's points when the caller has just read them (the dashboard has).
    """
    conn = session.connection()
    totals = {date.fromisoformat(day): round(float(mg), 1) for day, mg in conn.exec_driver_sql(
        "SELECT n.date, sum(d.elemental_mg) FROM dose d JOIN night n ON n.id = d.night_id GROUP BY n.date")}
    side = {kind: count for kind, count in conn.exec_driver_sql(
        "SELECT kind, count(*) FROM symptom GROUP BY kind ORDER BY min(id)")}
    side_nights = conn.exec_driver_sql("SELECT count(DISTINCT night_id) FROM symptom").scalar() or 0
    adherence = {label: (int(done or 0), int(total)) for label, done, total in conn.exec_driver_sql(
        "SELECT i.label, sum(c.done), count(*) FROM routine_check c JOIN routine_item i ON i.id = c.item_id "
        "GROUP BY i.id ORDER BY i.position, i.id")}
    if points is None:
        points = trend_points(session=session)
    return insights_from(points, totals, side, side_nights, adherence,
                         load_settings(session=session), last)
