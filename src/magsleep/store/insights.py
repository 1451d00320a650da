"""Everything the insights need, read with a few aggregate queries; `domain.insights.assemble`
computes the answer (one way, for the app, `magsleep insights` and the report).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from magsleep.domain.insights import Insights, assemble
from magsleep.domain.n_of_1 import TrialPlan
from magsleep.domain.trend import NightPoint
from magsleep.store.blinding import guesses
from magsleep.store.settings import load_settings
from magsleep.store.tonight import DamagedPlan
from magsleep.store.trials import current_trial
from magsleep.store.views import ITEM_COUNTS, ITEM_DONE, LOGGED_NIGHT, trend_points, trial_nights


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
    # Every active item on every logged night (a diary, a dose or a tick) since the item was added.
    adherence = {label: (int(done or 0), int(nights)) for label, nights, done in conn.exec_driver_sql(
        f"SELECT i.label, count(n.id), sum({ITEM_DONE}) FROM routine_item i "
        f"LEFT JOIN night n ON {LOGGED_NIGHT} AND n.date BETWEEN ? AND ? AND {ITEM_COUNTS} "
        "WHERE i.active = 1 GROUP BY i.id ORDER BY i.position, i.id", (first, final))}
    if points is None:
        points = trend_points(session=session)
    if start is not None or end is not None:
        points = [p for p in points if (start is None or p.night >= start) and (end is None or p.night <= end)]
    current = current_trial(session=session)
    # A plan changed outside magsleep is reported, never analysed: everything else still shows.
    plan = current if isinstance(current, TrialPlan) else None
    return assemble(last, points=points, totals=totals, side_effects=side, side_effect_nights=side_nights,
                    adherence=adherence, settings=load_settings(session=session), plan=plan,
                    plan_nights=trial_nights(plan, session=session) if plan is not None and plan.start <= last else {},
                    plan_notice=current.notice if isinstance(current, DamagedPlan) else None,
                    guesses=guesses(plan, session=session) if plan is not None and plan.blinded else None)
