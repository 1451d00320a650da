"""What the report reads, in one go: the period's nights and the insights for that period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from magsleep.domain.insights import Insights
from magsleep.store.insights import load_insights
from magsleep.store.nights import load_nights
from magsleep.store.records import NightRecord


@dataclass(frozen=True)
class ReportData:
    """The period `first`..`last` (every night in it gets a row), the nights logged in it, and the
    insights computed over it (up to `last`)."""

    first: date
    last: date
    records: dict[date, NightRecord]
    insights: Insights

    @property
    def nights(self) -> int:
        return (self.last - self.first).days + 1


def load_report_data(last_night: date, *, session: Session, start: date | None = None,
                     end: date | None = None) -> ReportData:
    """The report's data: from `start` (default: the first night stored) to `end` (default: last
    night, `last_night`); only the period's rows are read, so ten years cost little more than one."""
    final = end or max(last_night, start or last_night)
    records = load_nights(session=session, start=start, end=final)
    first = start or (records[0].night if records else final)
    insights = load_insights(last_night, session=session, start=start, end=final)
    return ReportData(first, final, {r.night: r for r in records}, insights)
