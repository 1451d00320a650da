"""The randomised trial's plans: made once, read back checked against their fingerprint.

Only the stop is ever written after a plan is made; a new plan is a new row, and old ones are
kept. Reading recomputes each plan's fingerprint: a row edited behind magsleep's back is refused.
"""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import Session, select

from magsleep.domain.errors import InvalidInput
from magsleep.domain.n_of_1 import TrialPlan
from magsleep.store.errors import StoreError
from magsleep.store.models import TrialRow


def _plan(row: TrialRow) -> TrialPlan:
    plan = TrialPlan(date.fromisoformat(row.start), row.baseline_nights, row.period_nights, row.pairs,
                     row.washout_nights, row.outcome, tuple(json.loads(row.orders)), row.created_at,
                     row.stopped_at)
    if plan.fingerprint != row.fingerprint:
        raise StoreError(f"the trial plan made {row.created_at} no longer matches its fingerprint; "
                         "it was changed outside magsleep")
    return plan


def current_trial(*, session: Session) -> TrialPlan | None:
    """The newest plan, stopped or not (None before the first)."""
    row = session.exec(select(TrialRow).order_by(TrialRow.id.desc())).first()  # type: ignore[union-attr]
    return None if row is None else _plan(row)


def all_trials(*, session: Session) -> list[TrialPlan]:
    return [_plan(row) for row in session.exec(select(TrialRow).order_by(TrialRow.id))]


def add_trial(plan: TrialPlan, today: date, *, session: Session) -> TrialPlan:
    """Store a new plan; refused while another one is still running."""
    running = current_trial(session=session)
    if running is not None and running.stopped_at is None and running.end >= today:
        raise InvalidInput("trial", f"a trial is running until {running.end} (plan "
                                    f"{running.short_fingerprint}); stop it first with 'magsleep trial stop'")
    session.add(TrialRow(start=plan.start.isoformat(), baseline_nights=plan.baseline_nights,
                         period_nights=plan.period_nights, pairs=plan.pairs,
                         washout_nights=plan.washout_nights, outcome=plan.outcome,
                         orders=json.dumps(list(plan.orders)), created_at=plan.created_at,
                         fingerprint=plan.fingerprint))
    return plan


def stop_trial(at: str, today: date, *, session: Session) -> TrialPlan:
    """Record that the running trial was stopped early."""
    row = session.exec(select(TrialRow).order_by(TrialRow.id.desc())).first()  # type: ignore[union-attr]
    if row is None or row.stopped_at is not None or _plan(row).end < today:
        raise InvalidInput("trial", "no trial is running")
    row.stopped_at = at
    session.add(row)
    return _plan(row)
