"""Plain, frozen records that the store hands out; they outlive the session that read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from magsleep.domain.errors import InvalidInput
from magsleep.domain.sleep_diary import Answers, Diary, Provenance, SleepMetrics, Symptom, compute_metrics


@dataclass(frozen=True)
class DoseRecord:
    """A stored dose."""

    id: int
    night: date
    taken_at: datetime
    form: str
    amount_mg: float
    amount_is: str
    percent: float | None
    elemental_mg: float
    note: str | None = None


def dose_from_columns(night: date, dose_id: int, taken_at: str, form: str, amount_mg: float, amount_is: str,
                      percent: float | None, elemental_mg: float, note: str | None) -> DoseRecord:
    """A DoseRecord from the dose table's columns (ORM row or plain SQL alike)."""
    return DoseRecord(id=dose_id, night=night, taken_at=datetime.fromisoformat(taken_at), form=form,
                      amount_mg=amount_mg, amount_is=amount_is, percent=percent, elemental_mg=elemental_mg,
                      note=note)


@dataclass(frozen=True)
class CheckRecord:
    """A checklist item and whether it was done on one night."""

    item_id: int
    label: str
    done: bool


@dataclass(frozen=True)
class NightRecord:
    """Everything logged for one night."""

    night: date
    diary: Diary | None = None
    note: str | None = None
    doses: tuple[DoseRecord, ...] = ()
    symptoms: tuple[Symptom, ...] = ()
    checks: tuple[CheckRecord, ...] = field(default=())
    answers: Answers | None = None
    """The answers known of a diary that is not complete (then `diary` is None)."""
    provenance: Provenance | None = None
    """Set for a night imported from a tracker."""

    @property
    def elemental_mg(self) -> float:
        return round(float(sum(d.elemental_mg for d in self.doses)), 1)

    @property
    def on_magnesium(self) -> bool:
        return self.elemental_mg > 0

    @property
    def metrics(self) -> SleepMetrics | None:
        if self.diary is None:
            return None
        try:
            return compute_metrics(self.diary)
        except InvalidInput:
            return None

    @property
    def checks_done(self) -> int:
        return sum(1 for c in self.checks if c.done)


@dataclass(frozen=True)
class ItemRecord:
    """A checklist item definition."""

    id: int
    label: str
    position: int
    active: bool
