"""Doses: adding, listing and removing them, and a night's totals."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, func, select

from magsleep.domain.magnesium import AmountIs, DoseAmount
from magsleep.domain.parsing import MAX_NOTE
from magsleep.domain.routine import TAKE_MAGNESIUM, dose_means_taken
from magsleep.domain.trial_plan import BAGS
from magsleep.store.models import Dose, Night, RoutineCheck, RoutineItem, row_id
from magsleep.store.nights import dose_record, night_row
from magsleep.store.records import DoseRecord
from magsleep.store.routine import set_check
from magsleep.store.tonight import connection_of, read_recent_totals, read_trial, trial_phase


def add_dose(night: date, taken_at: datetime, amount: DoseAmount, *, note: str | None = None,
             session: Session) -> DoseRecord:
    """Store a checked dose on a night, and tick "Take magnesium" for it: the dose is the proof
    (except on a randomised trial's no-magnesium night, where that item means keeping to the plan)."""
    row = night_row(night, session=session)
    phase = trial_phase(read_trial(connection_of(session)), night)
    if phase in BAGS:  # a blinded trial's night: the dose is logged as that bag (its mg as typed, same for both)
        label = f"Bag {phase} (trial)"
        if not (note or "").startswith(label):  # (an undone delete comes back with its label)
            note = label if not note else f"{label}: {note}" if len(note) + len(label) + 2 <= MAX_NOTE else note
    dose = Dose(night_id=row_id(row), taken_at=taken_at.isoformat(timespec="seconds"), form=amount.form,
                amount_mg=amount.amount_mg, amount_is=amount.amount_is.value, percent=amount.percent,
                elemental_mg=amount.elemental_mg, note=note or None)
    session.add(dose)
    session.flush()
    item = session.exec(select(RoutineItem).where(RoutineItem.label == TAKE_MAGNESIUM,
                                                  col(RoutineItem.active).is_(True))).first()
    if item is not None:
        # A dose ticks "Take magnesium"; on a no-magnesium trial night it un-keeps "No magnesium tonight".
        taken = dose_means_taken(phase)
        set_check(night, row_id(item), taken, at=taken_at if taken else None, session=session)
    return dose_record(dose, night)


def night_total(night: date, *, session: Session) -> float:
    total = session.exec(
        select(func.coalesce(func.sum(Dose.elemental_mg), 0.0)).join(Night, col(Night.id) == col(Dose.night_id))
        .where(Night.date == night.isoformat())
    ).one()
    return round(float(total), 1)


def recent_totals(night: date, *, days: int = 7, session: Session) -> list[float]:
    """Nightly totals of the nights with a dose in the `days` before `night`."""
    return read_recent_totals(connection_of(session), night, days)


def delete_dose(dose_id: int, *, session: Session) -> DoseRecord | None:
    """Remove a dose; returns what was removed (for undo), None when it was already gone.

    When it was the night's last dose, "Take magnesium" is unticked too: the tick stood for that
    dose, and a night must not say magnesium was taken when no dose is left.
    """
    dose = session.get(Dose, dose_id)
    if dose is None:
        return None
    night = date.fromisoformat(session.exec(select(Night.date).where(Night.id == dose.night_id)).one())
    record = dose_record(dose, night)
    session.delete(dose)
    session.flush()
    left = session.exec(select(func.count()).select_from(Dose).where(Dose.night_id == dose.night_id)).one()
    if not left and dose_means_taken(trial_phase(read_trial(connection_of(session)), night)):
        check = session.exec(
            select(RoutineCheck).join(RoutineItem, col(RoutineItem.id) == col(RoutineCheck.item_id))
            .where(RoutineCheck.night_id == dose.night_id, RoutineItem.label == TAKE_MAGNESIUM)).first()
        if check is not None and check.done:
            check.done = False
            session.add(check)
    return record


def restore_dose(record: DoseRecord, *, session: Session) -> DoseRecord:
    """Put a removed dose back (the undo of `delete_dose`): added again as it was, to its own night."""
    amount = DoseAmount(record.form, record.amount_mg, AmountIs(record.amount_is), record.percent,
                        record.elemental_mg)
    return add_dose(record.night, record.taken_at, amount, note=record.note, session=session)
