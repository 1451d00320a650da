"""A blinded trial's nightly guesses and its unblinding (the plan's row gains the mapping only once
the helper's sheet has checked out against the commitment: `domain.blinding`)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from magsleep.domain import blinding
from magsleep.domain.errors import InvalidInput
from magsleep.domain.trial_plan import BAGS, TrialPlan
from magsleep.store.models import TrialGuess, TrialRow, row_id
from magsleep.store.tonight import DamagedPlan, connection_of, trial_phase
from magsleep.store.trials import _realign_magnesium_check, current_trial


def blinded_plan(*, session: Session) -> TrialPlan:
    """The current plan, which must be a blinded one that checks out."""
    plan = current_trial(session=session)
    if isinstance(plan, DamagedPlan):
        raise InvalidInput("trial", plan.notice)
    if plan is None or not plan.blinded:
        raise InvalidInput("trial", "no blinded trial: 'magsleep trial start --blind --sheet FILE' makes one")
    return plan


def _row(plan: TrialPlan, *, session: Session) -> TrialRow:
    row = session.exec(select(TrialRow).where(TrialRow.fingerprint == plan.fingerprint)).first()
    if row is None:
        raise InvalidInput("trial", f"the plan {plan.short_fingerprint} is not in the database")
    return row


def record_guess(night: date, guess: str, at: str, *, session: Session) -> TrialPlan:
    """Store (or replace) the guess for `night` of the sealed blinded plan; refused outside its bag
    nights and once it is unblinded (a guess with the key known checks nothing)."""
    if guess not in BAGS:
        raise InvalidInput("guess", "must be A or B")
    plan = blinded_plan(session=session)
    if not plan.sealed:
        raise InvalidInput("trial", f"the trial was unblinded on {plan.unblinded_at}: guesses are closed")
    if blinding.bag_of(plan, night) is None:
        raise InvalidInput("--night", f"{night} is not a night with a bag in plan {plan.short_fingerprint} "
                                      f"({plan.start + timedelta(days=plan.baseline_nights)} to {plan.end})")
    trial_id = row_id(_row(plan, session=session))
    stored = session.exec(select(TrialGuess).where(TrialGuess.trial_id == trial_id,
                                                   TrialGuess.night == night.isoformat())).first()
    if stored is None:
        stored = TrialGuess(trial_id=trial_id, night=night.isoformat(), guess=guess, at=at)
    stored.guess, stored.at = guess, at
    session.add(stored)
    session.flush()
    return plan


def guesses(plan: TrialPlan, *, session: Session) -> dict[date, str]:
    """The plan's guesses by night (only well-formed ones: the table is data like any other)."""
    rows = connection_of(session).execute(
        "SELECT g.night, g.guess FROM trial_guess g JOIN trial t ON t.id = g.trial_id WHERE t.fingerprint = ?",
        (plan.fingerprint,)).fetchall()
    out = {}
    for night, guess in rows:
        try:
            day = date.fromisoformat(str(night))
        except ValueError:
            continue
        if guess in BAGS:
            out[day] = str(guess)
    return out


def guess_for(night: date, *, session: Session) -> tuple[bool, str | None]:
    """Whether `night` takes a guess (a bag night of a sealed blinded plan), and the one stored."""
    plan = current_trial(session=session)
    if not isinstance(plan, TrialPlan) or not plan.sealed or blinding.bag_of(plan, night) is None:
        return False, None
    return True, guesses(plan, session=session).get(night)


def unblind(plan: TrialPlan, blind: blinding.Blind, at: str, tonight: date, *, session: Session) -> TrialPlan:
    """Record the unblinding of `plan` (the sheet or code already read): checked against the
    commitment first, so a wrong one changes nothing. `tonight` is the night now: unblinded early,
    its bag becomes on or off, and "Take magnesium" takes that meaning (as when a plan starts)."""
    opened = blinding.unblind(plan, blind, at)
    row = _row(plan, session=session)
    row.magnesium_bag, row.salt, row.unblinded_at = opened.magnesium_bag, opened.salt, opened.unblinded_at
    session.add(row)
    session.flush()
    _realign_magnesium_check(tonight, trial_phase(plan, tonight), trial_phase(opened, tonight), session=session)
    return opened
