"""Nights: loading everything logged for them, saving diaries, deleting and restoring."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlmodel import Session, col, delete, func, select
from sqlmodel.sql.expression import SelectOfScalar

from magsleep.domain.errors import InvalidInput
from magsleep.domain.sleep_diary import Answers, Diary, Provenance, Symptom
from magsleep.domain.trend import PartialNight
from magsleep.store.models import Dose, Night, RoutineCheck, RoutineItem, SymptomRow, row_id
from magsleep.store.records import CheckRecord, DoseRecord, NightRecord, dose_from_columns
from magsleep.store.tonight import COMPLETE_DIARY


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _text(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def night_row(night: date, *, session: Session) -> Night:
    """The row for a night, created when missing."""
    row = session.exec(select(Night).where(Night.date == night.isoformat())).first()
    if row is None:
        row = Night(date=night.isoformat())
        session.add(row)
        session.flush()
    return row


def diary_from_columns(bed: str, tried: str | None, latency: int | None, awakenings: int | None,
                       waso: int | None, final: str, up: str, quality: int, rested: int | None = None) -> Diary:
    """A Diary from the night table's columns (ORM row or plain SQL alike); ValueError when a
    part is unknown (NULL), which is never read as 0."""
    if latency is None or awakenings is None or waso is None:
        raise ValueError("the diary is not complete")
    moment = datetime.fromisoformat
    return Diary(moment(bed), moment(tried or bed), latency, awakenings, waso,
                 moment(final), moment(up), quality, rested)


PARTS_COLUMNS = "bed, tried, latency_min, waso_min, final, up, quality"
"""The columns `parts_from_columns` takes, in its order."""


def parts_from_columns(bed: str | None, tried: str | None, latency: int | None, waso: int | None,
                       final: str | None, up: str | None, quality: int | None) -> PartialNight:
    """What a night's columns give, each part None when unknown (a tracker's night not completed)."""
    return PartialNight(_moment(bed), _moment(tried), latency, waso, _moment(final), _moment(up), quality)


def recent_diaries(before: date, *, session: Session, nights: int = 14) -> dict[date, Diary]:
    """The diaries of the last `nights` nights logged before `before`, oldest first."""
    rows = session.connection().exec_driver_sql(
        "SELECT date, bed, tried, latency_min, awakenings, waso_min, final, up, quality, rested FROM night "
        f"WHERE date < ? AND {COMPLETE_DIARY.format(n='')} ORDER BY date DESC LIMIT ?",
        (before.isoformat(), nights)).all()
    return {date.fromisoformat(row[0]): diary_from_columns(*row[1:]) for row in reversed(rows)}


def diary_of(row: Night) -> Diary | None:
    if row.bed is None or row.up is None or row.final is None or row.quality is None or row.latency_min is None \
            or row.awakenings is None or row.waso_min is None:
        return None
    return diary_from_columns(row.bed, row.tried, row.latency_min, row.awakenings, row.waso_min, row.final,
                              row.up, row.quality, row.rested)


class Keep:
    """The type of KEEP."""


KEEP = Keep()
"""Passed as `symptoms` or `note`: keep what the night already has."""


def save_diary(night: date, diary: Diary | None, *, symptoms: list[Symptom] | tuple[Symptom, ...] | Keep = (),
               note: str | None | Keep = None, session: Session) -> Night:
    """Store a night's diary (None: no diary), replacing any earlier one; its side effects and note
    are replaced too, or kept when passed as KEEP.

    Returns the night's row."""
    row = night_row(night, session=session)
    if diary is None:
        row.bed = row.tried = row.final = row.up = None
        row.latency_min = row.awakenings = row.waso_min = row.quality = row.rested = None
    else:
        row.bed, row.tried = _text(diary.bed), _text(diary.tried)
        row.latency_min, row.awakenings, row.waso_min = diary.latency_min, diary.awakenings, diary.waso_min
        row.final, row.up = _text(diary.final), _text(diary.up)
        row.quality, row.rested = diary.quality, diary.rested
    if not isinstance(note, Keep):
        row.note = note or None
    session.add(row)
    if not isinstance(symptoms, Keep):
        session.exec(delete(SymptomRow).where(col(SymptomRow.night_id) == row.id))
        for symptom in symptoms:
            session.add(SymptomRow(night_id=row_id(row), kind=symptom.kind, severity=symptom.severity))
    return row


def load_nights(*, session: Session, start: date | None = None, end: date | None = None,
                with_diary_only: bool = False) -> list[NightRecord]:
    """Every night in [start, end] with its doses, side effects and checklist, oldest first."""
    rows = session.exec(_nights_query(start, end, with_diary_only)).all()
    if not rows:
        return []
    ids = {row_id(row): date.fromisoformat(row.date) for row in rows}
    lo, hi = min(ids), max(ids)

    doses: dict[int, list[DoseRecord]] = defaultdict(list)
    for d in session.exec(select(Dose).where(col(Dose.night_id) >= lo, col(Dose.night_id) <= hi)
                          .order_by(col(Dose.taken_at), col(Dose.id))):
        if d.night_id in ids:
            doses[d.night_id].append(dose_record(d, ids[d.night_id]))
    symptoms: dict[int, list[Symptom]] = defaultdict(list)
    for s in session.exec(select(SymptomRow).where(col(SymptomRow.night_id) >= lo, col(SymptomRow.night_id) <= hi)
                          .order_by(col(SymptomRow.id))):
        if s.night_id in ids:
            symptoms[s.night_id].append(Symptom(s.kind, s.severity))
    checks: dict[int, list[CheckRecord]] = defaultdict(list)
    pairs = session.exec(
        select(RoutineCheck, RoutineItem)
        .join(RoutineItem, col(RoutineItem.id) == col(RoutineCheck.item_id))
        .where(col(RoutineCheck.night_id) >= lo, col(RoutineCheck.night_id) <= hi)
        .order_by(col(RoutineItem.position), col(RoutineItem.id))
    )
    for check, item in pairs:
        if check.night_id in ids:
            checks[check.night_id].append(CheckRecord(row_id(item), item.label, check.done))
    records = []
    for row in rows:
        diary = diary_of(row)
        records.append(NightRecord(
            night=ids[row_id(row)], diary=diary, note=row.note,
            doses=tuple(doses[row_id(row)]), symptoms=tuple(symptoms[row_id(row)]), checks=tuple(checks[row_id(row)]),
            answers=answers_of(row) if diary is None else None, provenance=provenance_of(row)))
    return records


def answers_of(row: Night) -> Answers | None:
    """The answers an incomplete diary holds (a tracker's night), or None when it holds none."""
    answers = Answers(_moment(row.bed), _moment(row.tried), row.latency_min, row.awakenings, row.waso_min,
                      _moment(row.final), _moment(row.up), row.quality, row.rested)
    return answers if answers != Answers() else None


def provenance_of(row: Night) -> Provenance | None:
    return Provenance(row.source, row.source_id, row.source_device) if row.source is not None else None


def save_imported(row: Night, answers: Answers | None, provenance: Provenance | None) -> None:
    """An imported night's incomplete answers (its diary is None) and where it came from, on its row."""
    if answers is not None:
        row.bed, row.tried = moment_text(answers.bed), moment_text(answers.tried)
        row.latency_min, row.awakenings, row.waso_min = answers.latency_min, answers.awakenings, answers.waso_min
        row.final, row.up = moment_text(answers.final), moment_text(answers.up)
        row.quality, row.rested = answers.quality, answers.rested
    if provenance is not None:
        row.source, row.source_id, row.source_device = provenance.source, provenance.source_id, provenance.device


def moment_text(moment: datetime | None) -> str | None:
    """A moment as its column holds it (None stays NULL)."""
    return None if moment is None else _text(moment)


def stored_records(*, session: Session) -> dict[tuple[str, str], str]:
    """Every tracker record stored (its source and the tracker's id) with the night it is on."""
    rows = session.connection().exec_driver_sql(
        "SELECT source, source_id, date FROM night WHERE source IS NOT NULL AND source_id IS NOT NULL").all()
    return {(source, source_id): night for source, source_id, night in rows}


def _nights_query(start: date | None, end: date | None, with_diary_only: bool) -> SelectOfScalar[Night]:
    query = select(Night).order_by(col(Night.date))
    if start is not None:
        query = query.where(Night.date >= start.isoformat())
    if end is not None:
        query = query.where(Night.date <= end.isoformat())
    if with_diary_only:
        query = query.where(col(Night.bed).is_not(None))
    return query


def load_night(night: date, *, session: Session) -> NightRecord | None:
    found = load_nights(session=session, start=night, end=night)
    return found[0] if found else None


def count_nights(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(Night)).one()


def delete_night(night: date, *, session: Session) -> NightRecord | None:
    """Delete a night with everything logged for it; returns what was deleted (for undo)."""
    record = load_night(night, session=session)
    if record is None:
        return None
    row = session.exec(select(Night).where(Night.date == night.isoformat())).one()
    for table in (Dose, SymptomRow, RoutineCheck):
        session.exec(delete(table).where(col(table.night_id) == row.id))
    session.delete(row)
    return record


def restore_night(record: NightRecord, *, session: Session) -> None:
    """Put a deleted night back as it was (the undo of `delete_night`).

    Refused when anything was logged for that night since it was deleted (from another shell, an
    import, a tick): undo puts back the old night, and must never overwrite or merge into a newer one.
    """
    since = load_night(record.night, session=session)
    if since is not None and _holds_anything(since):
        raise InvalidInput("night", f"the night of {record.night} was logged again after it was deleted; "
                                    "undo would overwrite that, so nothing was changed")
    origin = record.provenance
    if origin is not None and origin.source_id is not None:
        moved = stored_records(session=session).get((origin.source, origin.source_id))
        if moved is not None:
            raise InvalidInput("night", f"the tracker's record of the night of {record.night} was imported again "
                                        f"(the night of {moved}); undo would hold it twice, so nothing was changed")
    row = save_diary(record.night, record.diary, symptoms=record.symptoms, note=record.note, session=session)
    save_imported(row, record.answers, record.provenance)
    for d in record.doses:
        session.add(Dose(night_id=row_id(row), taken_at=_text(d.taken_at), form=d.form, amount_mg=d.amount_mg,
                         amount_is=d.amount_is, percent=d.percent, elemental_mg=d.elemental_mg, note=d.note))
    for c in record.checks:
        if session.get(RoutineItem, c.item_id) is not None:
            session.add(RoutineCheck(night_id=row_id(row), item_id=c.item_id, done=c.done))


def _holds_anything(record: NightRecord) -> bool:
    return bool(record.diary or record.answers or record.note or record.doses or record.symptoms or record.checks)


def dose_record(d: Dose, night: date) -> DoseRecord:
    return dose_from_columns(night, row_id(d), d.taken_at, d.form, d.amount_mg, d.amount_is, d.percent, d.elemental_mg,
                             d.note)


def delete_all_nights(*, session: Session) -> None:
    """Remove every night and what hangs on it (settings and checklist items stay)."""
    for table in (Dose, SymptomRow, RoutineCheck, Night):
        session.exec(delete(table))
