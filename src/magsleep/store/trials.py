"""The randomised trial's plans: made once, read back checked against their fingerprint.

Only the stop and an extension (`trial extend`: pairs added at the end, recorded in
`trial_change` with the fingerprint before) are ever written after a plan is made; a new plan is a
new row, and old ones are kept. At most one plan is open (stopped_at NULL), held by the schema
(`migrations.ONE_OPEN_TRIAL`):
a plan is closed by `trial stop`, or, once it has run its course, when the next one is made. Plans
are read by `tonight.read_trial` (plain SQL, so the dashboard has them before SQLAlchemy is
loaded), which checks each in full; one changed outside magsleep comes back as a DamagedPlan,
which nothing uses but `trial stop` can end.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from sqlmodel import Session, col, select

from magsleep.domain.errors import InvalidInput
from magsleep.domain.routine import TAKE_MAGNESIUM, dose_means_taken
from magsleep.domain.trial_plan import TrialPlan, earlier_fingerprint, extend_plan
from magsleep.store.models import Night, RoutineCheck, RoutineItem, TrialChange, TrialRow, row_id
from magsleep.store.tonight import (
    DamagedPlan,
    connection_of,
    read_doses,
    read_trial,
    read_trials,
    running,
    trial_phase,
)


def current_trial(*, session: Session) -> TrialPlan | DamagedPlan | None:
    """The open plan, else the newest (None before the first)."""
    return read_trial(connection_of(session))


def all_trials(*, session: Session) -> list[TrialPlan | DamagedPlan]:
    return read_trials(connection_of(session))


def plan_problems(*, session: Session) -> list[str]:
    """One line for each stored plan that no longer checks out (for `magsleep verify`)."""
    return [p.notice for p in all_trials(session=session) if isinstance(p, DamagedPlan)]


def _make_room(tonight: date, at: str, *, session: Session) -> None:
    """Free the open plan's place for a new open plan: refused while one runs; one that has run
    its course is closed at `at`."""
    current = current_trial(session=session)
    if isinstance(current, DamagedPlan) and current.running:
        raise InvalidInput("trial", current.notice)
    if isinstance(current, TrialPlan) and current.stopped_at is None:
        if running(current, tonight):
            raise InvalidInput("trial", f"a trial is running until the night of {current.end} (plan "
                                        f"{current.short_fingerprint}); stop it first with 'magsleep trial stop'")
        _close_open_plan(at, session=session)


def _close_open_plan(at: str, *, session: Session) -> None:
    row = session.exec(select(TrialRow).where(col(TrialRow.stopped_at).is_(None))).first()
    if row is not None:
        row.stopped_at = at
        session.add(row)
        session.flush()


def add_trial(plan: TrialPlan, tonight: date, *, session: Session) -> TrialPlan:
    """Store a new plan; refused while another one is still running. `tonight` is the night now."""
    _make_room(tonight, plan.created_at, session=session)
    insert_plan(plan, session=session)
    _realign_magnesium_check(tonight, None, trial_phase(plan, tonight), session=session)
    return plan


def insert_plan(plan: TrialPlan, *, session: Session) -> None:
    """Store a checked plan as it is (a new one, or one carried by an import): never the same plan
    twice, and an open one only where no plan is open."""
    stored = session.exec(select(TrialRow.id).where(TrialRow.fingerprint == plan.fingerprint)).first()
    if stored is not None:
        raise InvalidInput("trial", f"the plan {plan.short_fingerprint} is already in the database")
    if plan.stopped_at is None and session.exec(select(TrialRow.id).where(col(TrialRow.stopped_at).is_(None))).first():
        raise InvalidInput("trial", f"the plan {plan.short_fingerprint} is open, and so is another: "
                                    "one trial runs at a time")
    session.add(TrialRow(start=plan.start.isoformat(), baseline_nights=plan.baseline_nights,
                         period_nights=plan.period_nights, pairs=plan.pairs,
                         washout_nights=plan.washout_nights, outcome=plan.outcome,
                         orders=json.dumps(list(plan.orders)), created_at=plan.created_at,
                         fingerprint=plan.fingerprint, stopped_at=plan.stopped_at, blinded=plan.blinded,
                         commitment=plan.commitment, magnesium_bag=plan.magnesium_bag, salt=plan.salt,
                         unblinded_at=plan.unblinded_at))
    session.flush()


def import_plan(plan: TrialPlan, tonight: date, at: str, *, session: Session) -> None:
    """Store a plan from an export. It never replaces or hides the running plan: an open one is
    refused while one runs here (a finished one here is closed at `at` to make room)."""
    if plan.stopped_at is None:
        _make_room(tonight, at, session=session)
    insert_plan(plan, session=session)
    if plan.stopped_at is None:
        _realign_magnesium_check(tonight, None, trial_phase(plan, tonight), session=session)


def stop_trial(at: str, tonight: date, *, session: Session) -> TrialPlan | DamagedPlan:
    """Record that the running trial was stopped (early) at `at`; `tonight` is the night now.
    A plan changed outside magsleep is ended too, so it never locks anyone out."""
    current = current_trial(session=session)
    if not running(current, tonight):
        ended = (f" (plan {current.short_fingerprint} ended with the night of {current.end})"
                 if isinstance(current, TrialPlan) and current.stopped_at is None else "")
        raise InvalidInput("trial", f"no trial is running{ended}")
    _close_open_plan(at, session=session)
    if isinstance(current, DamagedPlan):
        return replace(current, stopped_at=at)
    assert current is not None  # running() said so
    _realign_magnesium_check(tonight, trial_phase(current, tonight), None, session=session)
    return replace(current, stopped_at=at)


def extend_trial(more: int, at: str, tonight: date, *, session: Session) -> TrialPlan:
    """Add `more` pairs to the running plan before its planned end, and record it in its history."""
    current = current_trial(session=session)
    if isinstance(current, DamagedPlan):
        raise InvalidInput("trial", current.notice)
    if current is None or not running(current, tonight):
        raise InvalidInput("trial", "no trial is running")
    longer = extend_plan(current, more, tonight)
    row = session.exec(select(TrialRow).where(TrialRow.fingerprint == current.fingerprint)).one()
    session.add(TrialChange(trial_id=row_id(row), at=at, pairs_before=current.pairs,
                            fingerprint_before=current.fingerprint))
    row.pairs, row.orders, row.fingerprint = longer.pairs, json.dumps(list(longer.orders)), longer.fingerprint
    session.add(row)
    session.flush()
    return longer


def plan_history(plan: TrialPlan, *, session: Session) -> list[tuple[str, int, int, bool]]:
    """The plan's extensions, oldest first: (when, pairs before, pairs after, whether the record
    matches the plan's first pairs: an edited record or plan shows as not matching)."""
    rows = session.exec(select(TrialChange).join(TrialRow, col(TrialRow.id) == col(TrialChange.trial_id))
                        .where(TrialRow.fingerprint == plan.fingerprint).order_by(col(TrialChange.id))).all()
    afters = [r.pairs_before for r in rows[1:]] + [plan.pairs]
    return [(r.at, r.pairs_before, after, 0 < r.pairs_before <= plan.pairs
             and earlier_fingerprint(plan, r.pairs_before) == r.fingerprint_before) for r, after in zip(rows, afters)]


def _realign_magnesium_check(night: date, before: str | None, after: str | None, *, session: Session) -> None:
    """On a no-magnesium night of a trial (baseline or off) the "Take magnesium" item reads "No magnesium tonight":
    ticked, it means the plan was kept. When a plan starts or stops on `night` its meaning
    changes, so what was ticked under one meaning is set again from the doses under the other
    (a dose ticks "Take magnesium", it never ticks "No magnesium tonight")."""
    if dose_means_taken(before) == dose_means_taken(after):
        return
    check = session.exec(
        select(RoutineCheck).join(Night, col(Night.id) == col(RoutineCheck.night_id))
        .join(RoutineItem, col(RoutineItem.id) == col(RoutineCheck.item_id))
        .where(Night.date == night.isoformat(), RoutineItem.label == TAKE_MAGNESIUM)).first()
    if check is None:
        return
    check.done = dose_means_taken(after) and bool(read_doses(connection_of(session), night))
    session.add(check)
