"""The randomised trial's plans: made once, read back checked against their fingerprint.

Only the stop is ever written after a plan is made; a new plan is a new row, and old ones are
kept. Plans are read by `tonight.read_trial` (plain SQL, so the dashboard has them before
SQLAlchemy is loaded), which recomputes each fingerprint.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from sqlmodel import Session, col, select

from magsleep.domain.errors import InvalidInput
from magsleep.domain.n_of_1 import TrialPlan
from magsleep.store.models import TrialRow
from magsleep.store.tonight import connection_of, read_trial, read_trials


def current_trial(*, session: Session) -> TrialPlan | None:
    """The newest plan, stopped or not (None before the first)."""
    return read_trial(connection_of(session))


def all_trials(*, session: Session) -> list[TrialPlan]:
    return read_trials(connection_of(session))


def running(plan: TrialPlan | None, today: date) -> bool:
    return plan is not None and plan.stopped_at is None and plan.end >= today


def add_trial(plan: TrialPlan, today: date, *, session: Session) -> TrialPlan:
    """Store a new plan; refused while another one is still running."""
    current = current_trial(session=session)
    if current is not None and running(current, today):
        raise InvalidInput("trial", f"a trial is running until {current.end} (plan "
                                    f"{current.short_fingerprint}); stop it first with 'magsleep trial stop'")
    insert_plan(plan, session=session)
    return plan


def insert_plan(plan: TrialPlan, *, session: Session) -> None:
    """Store a plan as it is (a new one, or one carried by an import)."""
    session.add(TrialRow(start=plan.start.isoformat(), baseline_nights=plan.baseline_nights,
                         period_nights=plan.period_nights, pairs=plan.pairs,
                         washout_nights=plan.washout_nights, outcome=plan.outcome,
                         orders=json.dumps(list(plan.orders)), created_at=plan.created_at,
                         fingerprint=plan.fingerprint, stopped_at=plan.stopped_at))


def stop_trial(at: str, today: date, *, session: Session) -> TrialPlan:
    """Record that the running trial was stopped early."""
    current = current_trial(session=session)
    row = session.exec(select(TrialRow).order_by(col(TrialRow.id).desc())).first()
    if current is None or row is None or not running(current, today):
        raise InvalidInput("trial", "no trial is running")
    row.stopped_at = at
    session.add(row)
    return replace(current, stopped_at=at)
