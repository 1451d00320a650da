"""Doses: adding, listing and removing them, and a night's totals."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, select

from magsleep.domain.magnesium import DoseAmount
from magsleep.store.models import Dose, Night
from magsleep.store.nights import dose_record, night_row
from magsleep.store.records import DoseRecord


def add_dose(night: date, taken_at: datetime, amount: DoseAmount, *, note: str | None = None,
             session: Session) -> DoseRecord:
    """Store a checked dose on a night."""
    row = night_row(night, session=session)
    dose = Dose(night_id=row.id, taken_at=taken_at.isoformat(timespec="seconds"), form=amount.form,
                amount_mg=amount.amount_mg, amount_is=amount.amount_is.value, percent=amount.percent,
                elemental_mg=amount.elemental_mg, note=note or None)
    session.add(dose)
    session.flush()
    return dose_record(dose, night)


def doses_for(night: date, *, session: Session) -> list[DoseRecord]:
    rows = session.exec(
        select(Dose).join(Night, Night.id == Dose.night_id)
        .where(Night.date == night.isoformat()).order_by(Dose.taken_at, Dose.id)
    ).all()
    return [dose_record(d, night) for d in rows]


def night_total(night: date, *, session: Session) -> float:
    total = session.exec(
        select(func.coalesce(func.sum(Dose.elemental_mg), 0.0)).join(Night, Night.id == Dose.night_id)
        .where(Night.date == night.isoformat())
    ).one()
    return round(float(total), 1)


def recent_totals(night: date, *, days: int = 7, session: Session) -> list[float]:
    """Nightly totals of the nights with a dose in the `days` before `night`."""
    rows = session.exec(
        select(Night.date, func.sum(Dose.elemental_mg)).join(Dose, Dose.night_id == Night.id)
        .where(Night.date < night.isoformat(), Night.date >= (night - timedelta(days=days)).isoformat())
        .group_by(Night.date)
    ).all()
    return [round(float(total), 1) for _, total in rows]


def delete_dose(dose_id: int, *, session: Session) -> bool:
    dose = session.get(Dose, dose_id)
    if dose is None:
        return False
    session.delete(dose)
    return True


def first_dose_night(*, session: Session) -> date | None:
    first = session.exec(
        select(func.min(Night.date)).join(Dose, Dose.night_id == Night.id)
        .where(col(Dose.elemental_mg) > 0)
    ).one()
    return None if first is None else date.fromisoformat(first)
