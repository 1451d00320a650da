"""What each screen shows, read in one go: plain data for the UI's workers to hand over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from magsleep.domain.dose_timing import dose_to_bed_min
from magsleep.domain.errors import InvalidInput
from magsleep.domain.n_of_1 import NightData, TrialPlan
from magsleep.domain.regularity import sleep_span
from magsleep.domain.routine import TAKE_MAGNESIUM
from magsleep.domain.sleep_diary import Diary, SleepMetrics, compute_metrics
from magsleep.domain.trend import NightPoint, partial_point, point
from magsleep.store.nights import diary_from_columns, parts_from_columns
from magsleep.store.tonight import COMPLETE_DIARY, TonightView, connection_of, read_tonight


def tonight_view(night: date, *, session: Session) -> TonightView:
    return read_tonight(connection_of(session), night)


# A logged night (adherence, "of N logged nights"): any night with a diary written here, a dose
# or a tick. The one definition; a night row with only a note or a side effect is not a logged
# night, nor is one a tracker's import brought in with nothing done in magsleep that evening (the
# routine was not being kept in magsleep then: counting it would read as the routine skipped).
LOGGED_NIGHT = (
    "((n.bed IS NOT NULL AND n.source IS NULL) OR EXISTS (SELECT 1 FROM dose d WHERE d.night_id = n.id) "
    "OR EXISTS (SELECT 1 FROM routine_check c WHERE c.night_id = n.id AND c.done = 1))"
)
# A checklist item counts on night n when it is active and was there that night; it is done when
# ticked, and "Take magnesium" is done too when a dose was logged (unticked is not done).
ITEM_COUNTS = "i.active = 1 AND (i.created_on IS NULL OR i.created_on <= n.date)"
ITEM_DONE = (
    "(EXISTS (SELECT 1 FROM routine_check c WHERE c.item_id = i.id AND c.night_id = n.id AND c.done = 1) "
    f"OR (i.label = '{TAKE_MAGNESIUM}' AND EXISTS (SELECT 1 FROM dose d WHERE d.night_id = n.id)))"
)
# The same rule counted for a whole night at once (History): the ticks, plus "Take magnesium"
# when a dose was logged but the item not ticked. One lookup of the night's checks, not one per item.
NIGHT_ITEMS = f"(SELECT count(*) FROM routine_item i WHERE {ITEM_COUNTS})"
NIGHT_DONE = (
    "((SELECT count(*) FROM routine_check c JOIN routine_item i ON i.id = c.item_id "
    f"WHERE c.night_id = n.id AND c.done = 1 AND {ITEM_COUNTS}) + "
    f"(SELECT count(*) FROM routine_item i WHERE i.label = '{TAKE_MAGNESIUM}' AND {ITEM_COUNTS} "
    "AND EXISTS (SELECT 1 FROM dose d WHERE d.night_id = n.id) AND NOT EXISTS "
    "(SELECT 1 FROM routine_check c WHERE c.night_id = n.id AND c.item_id = i.id AND c.done = 1)))"
)

# The diary columns in the order `diary_from_columns` takes them.
DIARY_COLUMNS = "n.bed, n.tried, n.latency_min, n.awakenings, n.waso_min, n.final, n.up, n.quality"


def trend_points(*, session: Session) -> list[NightPoint]:
    """The trend's points straight from SQL: only the columns it plots, one query (years of nights).
    A tracker's night not yet completed counts for the metrics its parts give (`partial_point`)."""
    rows = session.connection().exec_driver_sql(
        f"SELECT n.date, {DIARY_COLUMNS}, "
        "coalesce((SELECT sum(d.elemental_mg) FROM dose d WHERE d.night_id = n.id), 0), "
        "(SELECT group_concat(d.taken_at, ' ') FROM dose d WHERE d.night_id = n.id), "
        f"{COMPLETE_DIARY.format(n='n.')} "
        f"FROM night n WHERE {COMPLETE_DIARY.format(n='n.')} OR (n.source IS NOT NULL AND n.bed IS NOT NULL) "
        "ORDER BY n.date"
    ).all()
    out = []
    for night, *diary, mg, taken, complete in rows:
        night_date = date.fromisoformat(night)
        doses = [datetime.fromisoformat(t) for t in taken.split()] if taken else []
        if not complete:
            found = _partial(night_date, tuple(diary), round(float(mg), 1), doses)
            if found is not None:
                out.append(found)
            continue
        checked, metrics = diary_metrics(tuple(diary))
        if checked is not None and metrics is not None:
            minutes = dose_to_bed_min(doses, checked.tried) if doses else None
            out.append(point(night_date, metrics, checked.quality, round(float(mg), 1), minutes,
                             sleep_span(night_date, checked)))
    return out


def _partial(night: date, columns: tuple[Any, ...], mg: float, doses: list[datetime]) -> NightPoint | None:
    """A tracker's night with some parts unknown: what its known parts give."""
    bed, tried, latency, _awakenings, waso, final, up, quality = columns
    try:
        parts = parts_from_columns(bed, tried, latency, waso, final, up, quality)
    except ValueError:
        return None
    start = parts.tried or parts.bed
    minutes = dose_to_bed_min(doses, start) if doses and start is not None else None
    return partial_point(night, parts, mg, minutes)


@dataclass(frozen=True)
class HistoryNight:
    """What History shows of one night, read in one query."""

    night: date
    metrics_source: tuple[Any, ...] | None  # the diary columns, for compute_metrics
    quality: int | None
    elemental_mg: float
    forms: tuple[str, ...]
    checks_done: int
    checks_total: int
    symptoms: tuple[tuple[str, int], ...]
    note: str | None
    dose_times: str = ""  # ISO moments, space-separated: parsed only for rows drawn

    def dose_to_bed_min(self, tried: datetime | None) -> int | None:
        """Minutes from the last dose to `tried` (the diary's)."""
        return dose_to_bed_min([datetime.fromisoformat(t) for t in self.dose_times.split()], tried)


def history_nights(*, session: Session) -> list[HistoryNight]:
    """Every night, newest first, with only the columns History shows (fast for decades of nights)."""
    rows = session.connection().exec_driver_sql(
        f"SELECT n.date, {DIARY_COLUMNS}, n.note, "
        "(SELECT sum(d.elemental_mg) FROM dose d WHERE d.night_id = n.id), "
        "(SELECT group_concat(DISTINCT d.form) FROM dose d WHERE d.night_id = n.id), "
        f"{NIGHT_DONE}, {NIGHT_ITEMS}, "
        "(SELECT group_concat(s.kind || ':' || s.severity, ';') FROM symptom s WHERE s.night_id = n.id), "
        "(SELECT group_concat(d.taken_at, ' ') FROM dose d WHERE d.night_id = n.id) "
        "FROM night n ORDER BY n.date DESC"
    ).all()
    out = []
    for day, bed, tried, lat, awk, waso, final, up, quality, note, mg, forms, done, total, symptoms, taken in rows:
        complete = bed and final and up and quality and None not in (lat, awk, waso)
        diary = (bed, tried, lat, awk, waso, final, up, quality) if complete else None
        out.append(HistoryNight(
            date.fromisoformat(day), diary, quality, round(float(mg or 0), 1),
            tuple(sorted((forms or "").split(","))) if forms else (), int(done or 0), int(total or 0),
            tuple((k, int(v)) for k, _, v in (s.partition(":") for s in symptoms.split(";"))) if symptoms else (),
            note, taken or "",
        ))
    return out


def diary_metrics(source: tuple[Any, ...] | None) -> tuple[Diary, SleepMetrics] | tuple[None, None]:
    """The diary and its metrics from History's diary columns, or (None, None) when there is no
    diary or one that no longer checks out."""
    if source is None:
        return None, None

    try:
        diary = diary_from_columns(*source)
        return diary, compute_metrics(diary)
    except (InvalidInput, ValueError):
        return None, None


def trial_nights(plan: TrialPlan, *, session: Session) -> dict[date, NightData]:
    """Each night of the plan with a diary or a dose: the outcome (minutes, points or 1-5) and
    whether magnesium was taken (a dose on a night without is a deviation)."""
    values = {p.night: getattr(p, plan.metric) for p in trend_points(session=session)
              if plan.start <= p.night <= plan.end}
    dosed = {date.fromisoformat(row[0]) for row in session.connection().exec_driver_sql(
        "SELECT DISTINCT n.date FROM night n JOIN dose d ON d.night_id = n.id WHERE n.date BETWEEN ? AND ?",
        (plan.start.isoformat(), plan.end.isoformat())).all()}
    return {night: NightData(values.get(night), night in dosed) for night in set(values) | dosed}
