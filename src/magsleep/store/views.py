"""What each screen shows, read in one go: plain data for the UI's workers to hand over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from magsleep.domain.settings import Settings
from magsleep.domain.trend import NightPoint, point
from magsleep.store.doses import doses_for, recent_totals
from magsleep.store.nights import load_nights
from magsleep.store.records import CheckRecord, DoseRecord, NightRecord
from magsleep.store.routine_store import checklist_for
from magsleep.store.settings_store import load_settings


@dataclass(frozen=True)
class TonightView:
    """Tonight's checklist and doses, with the settings that frame them."""

    night: date
    checklist: tuple[CheckRecord, ...]
    doses: tuple[DoseRecord, ...]
    recent_totals: tuple[float, ...]
    settings: Settings

    @property
    def total_mg(self) -> float:
        return round(sum(d.elemental_mg for d in self.doses), 1)


def tonight_view(night: date, *, session: Session) -> TonightView:
    return TonightView(
        night=night,
        checklist=tuple(checklist_for(night, session=session)),
        doses=tuple(doses_for(night, session=session)),
        recent_totals=tuple(recent_totals(night, session=session)),
        settings=load_settings(session=session),
    )


def night_points(records: list[NightRecord]) -> list[NightPoint]:
    """The logged nights with valid diaries as points, oldest first."""
    out = []
    for record in records:
        metrics = record.metrics
        if metrics is not None and record.diary is not None:
            out.append(point(record.night, metrics, record.diary.quality, record.elemental_mg))
    return out


def trend_points(*, session: Session) -> list[NightPoint]:
    return night_points(load_nights(session=session, with_diary_only=True))
