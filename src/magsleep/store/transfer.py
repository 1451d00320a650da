"""Export to JSON or CSV, and an all-or-nothing import of the same files (checked first by
`domain.import_file`, which also defines the format). Exporting, importing into an empty
database and exporting again gives identical output.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from magsleep.domain.dose_timing import dose_to_bed_min
from magsleep.domain.errors import InvalidInput
from magsleep.domain.import_file import (
    CSV_COLUMNS,
    PROVENANCE_COLUMNS,
    SCALAR_COLUMNS,
    TRIAL_KEYS,
    ImportFailed,
    ImportFile,
    ImportNight,
    limited,
)
from magsleep.domain.n_of_1 import TrialPlan
from magsleep.domain.nights import night_of
from magsleep.domain.routine import label_key
from magsleep.domain.sleep_diary import Answers
from magsleep.domain.text_safety import csv_cell, visible
from magsleep.domain.trackers.night import TrackedNight, TrackerFile
from magsleep.domain.trend import PartialNight, answered_minutes
from magsleep.store.models import Dose, Night, RoutineCheck, row_id
from magsleep.store.nights import (
    PARTS_COLUMNS,
    load_nights,
    moment_text,
    parts_from_columns,
    save_diary,
    save_imported,
    stored_records,
)
from magsleep.store.records import NightRecord
from magsleep.store.routine import add_item, item_by_label
from magsleep.store.settings import load_settings
from magsleep.store.tonight import DamagedPlan
from magsleep.store.trials import all_trials, import_plan


def night_to_dict(record: NightRecord) -> dict[str, Any]:
    """One night as the export format has it: a complete diary, or the answers an incomplete one
    holds (a tracker's night), and where an imported night came from."""
    answers = record.answers or Answers.of(record.diary)
    metrics = record.metrics
    tib, tst, se = ((metrics.tib_min, metrics.tst_min, metrics.se_pct) if metrics is not None
                    else answered_minutes(answers))
    origin = record.provenance
    return {
        "night": record.night.isoformat(),
        "bed": moment_text(answers.bed),
        "tried": moment_text(answers.tried),
        "latency_min": answers.latency_min,
        "awakenings": answers.awakenings,
        "waso_min": answers.waso_min,
        "final": moment_text(answers.final),
        "up": moment_text(answers.up),
        "quality": answers.quality,
        "rested": answers.rested,
        "tib_min": tib,
        "tst_min": tst,
        "se_pct": se,
        "elemental_mg": record.elemental_mg,
        "dose_to_bed_min": dose_to_bed_min([d.taken_at for d in record.doses], answers.tried or answers.bed),
        "doses": [
            {"taken_at": moment_text(d.taken_at), "form": d.form, "amount_mg": d.amount_mg,
             "amount_is": d.amount_is, "percent": d.percent, "elemental_mg": d.elemental_mg,
             "note": d.note}
            for d in record.doses
        ],
        # Sorted so a round trip is identical whatever order the checklist items have.
        "routine": {c.label: c.done for c in sorted(record.checks, key=lambda c: c.label)},
        "symptoms": [{"kind": s.kind, "severity": s.severity} for s in record.symptoms],
        "note": record.note,
        # Only for a tracker's night: a night logged here reads as it did, for an older magsleep too.
        **({"source": origin.source, "source_id": origin.source_id, "source_device": origin.device}
           if origin is not None else {}),
    }


def trial_to_dict(plan: TrialPlan | DamagedPlan) -> dict[str, Any]:
    """A plan as the export has it; one changed outside magsleep goes out as it is stored (an
    import then refuses it by its fingerprint, as the store does)."""
    if isinstance(plan, DamagedPlan):  # any value can be there, even bytes: JSON gets text for those
        data = {k: v if v is None or isinstance(v, str | int | float) else repr(v) for k, v in plan.columns.items()}
        try:
            data["orders"] = json.loads(str(data["orders"]))
        except (ValueError, RecursionError):
            pass
    else:
        data = plan.as_dict()
    return {key: data[key] for key in TRIAL_KEYS}


def export_json(records: list[NightRecord], trials: list[TrialPlan | DamagedPlan] | None = None) -> str:
    return json.dumps({"nights": [night_to_dict(r) for r in records],
                       "trials": [trial_to_dict(p) for p in trials or []]}, indent=2, ensure_ascii=False) + "\n"


def export_csv(records: list[NightRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # The tracker's columns only when a night came from one: a file of nights logged here reads as
    # it did, for an older magsleep too.
    scalars = SCALAR_COLUMNS if any(r.provenance for r in records) else SCALAR_COLUMNS[:-len(PROVENANCE_COLUMNS)]
    writer.writerow((*scalars, *CSV_COLUMNS[len(SCALAR_COLUMNS):]))
    for record in records:
        row = night_to_dict(record)
        cells = [_cell(row.get(c)) for c in scalars] + [
            ";".join(f"{s['kind']}:{s['severity']}" for s in row["symptoms"]),
            json.dumps(row["doses"], ensure_ascii=False) if row["doses"] else "",
            json.dumps(row["routine"], ensure_ascii=False) if row["routine"] else ""]
        # No cell may start a spreadsheet formula (=HYPERLINK(...) in a note); import undoes this.
        writer.writerow([csv_cell(cell) for cell in cells])
    return out.getvalue()


def _cell(value: object) -> str:
    return "" if value is None else str(value)


# ---------------------------------------------------------------- import

def import_plans(plans: list[TrialPlan], *, session: Session, now: datetime | None = None) -> None:
    """Store a file's checked plans: never one already stored, and never one that would replace or
    hide the plan running here (`trials.import_plan`); every refusal is named."""
    now = now or datetime.now().astimezone()
    tonight = night_of(now, load_settings(session=session).rollover_hour)
    problems = []
    for index, plan in enumerate(plans):
        try:
            import_plan(plan, tonight, now.isoformat(timespec="seconds"), session=session)
        except InvalidInput as err:
            problems.append(f"field trials[{index}]: {err.message}")
    if problems:
        raise ImportFailed(limited(problems))


def import_nights(parsed: ImportFile, *, session: Session) -> int:
    """Write checked nights and plans in the caller's transaction; refuses nights and plans
    already stored."""
    nights = parsed.nights
    import_plans(parsed.trials, session=session)
    wanted = [n.night.isoformat() for n in nights]
    existing = set()
    for chunk in range(0, len(wanted), 500):
        existing |= set(session.exec(select(col(Night.date)).where(col(Night.date).in_(wanted[chunk:chunk + 500]))))
    clashes = [n for n in nights if n.night.isoformat() in existing]
    if clashes:
        raise ImportFailed(limited([f"line {n.line}, field night: {n.night} is already in the database"
                                     for n in clashes]))
    _refuse_stored_records(nights, session=session)
    items: dict[str, int] = {}
    for n in nights:
        row = save_diary(n.night, n.diary, symptoms=n.symptoms, note=n.note, session=session)
        save_imported(row, n.answers, n.provenance)
        for d in n.doses:
            session.add(Dose(night_id=row_id(row), taken_at=d["taken_at"].isoformat(timespec="seconds"), form=d["form"],
                             amount_mg=d["amount_mg"], amount_is=d["amount_is"], percent=d["percent"],
                             elemental_mg=d["elemental_mg"], note=d["note"]))
        for label, done in n.routine:
            name = label_key(label)
            if name not in items:
                item = item_by_label(label, session=session)
                items[name] = row_id(item) if item is not None else add_item(label, session=session).id
            session.add(RoutineCheck(night_id=row_id(row), item_id=items[name], done=done))
    return len(nights)


def _refuse_stored_records(nights: list[ImportNight], *, session: Session) -> None:
    """A tracker's record is stored once: one the database (or the file itself) already holds on
    another night is refused, naming it, before anything is written."""
    stored = stored_records(session=session)
    seen: dict[tuple[str, str], int] = {}
    problems = []
    for n in nights:
        origin = n.provenance
        if origin is None or origin.source_id is None:
            continue
        key = (origin.source, origin.source_id)
        if key in seen:
            where = f"line {seen[key]} of this file"
        elif key in stored:
            where = f"the night of {stored[key]}"
        else:
            seen[key] = n.line
            continue
        problems.append(f"line {n.line}, field source_id: {visible(origin.source_id)[:40]} from "
                        f"{origin.source} is already imported ({where})")
    if problems:
        raise ImportFailed(limited(problems))


def export_all(fmt: str, *, session: Session) -> str:
    """Every night (and, in JSON, every trial plan)."""
    records = load_nights(session=session)
    return export_json(records, all_trials(session=session)) if fmt == "json" else export_csv(records)


# ---------------------------------------------------------------- tracker imports

@dataclass(frozen=True)
class TrackedPlan:
    """What importing a tracker's nights would do: the new ones (with the nights that exist but
    hold no diary yet, which they fill), those already there, and those --replace overwrites."""

    new: tuple[TrackedNight, ...]
    already_there: tuple[TrackedNight, ...]
    replaced: tuple[TrackedNight, ...]
    fill: frozenset[date]
    """Dates of the new nights that already have a row (a dose or a tick, no diary)."""


def plan_tracked(found: TrackerFile, *, session: Session, replace: bool = False) -> TrackedPlan:
    """Sort a tracker file's nights against the database: a night whose record (source + its id)
    is stored, or whose date already has a diary from anywhere, is "already there" (or, with
    `replace`, overwritten)."""
    conn = session.connection()
    rows: dict[str, tuple[Any, ...]] = {}
    dates = [n.night.isoformat() for n in found.nights]
    for chunk in range(0, len(dates), 500):
        part = dates[chunk:chunk + 500]
        for found_row in conn.exec_driver_sql(
                f"SELECT date, bed IS NOT NULL OR final IS NOT NULL OR quality IS NOT NULL, source, source_id "
                f"FROM night WHERE date IN ({','.join('?' * len(part))})", tuple(part)).all():
            rows[found_row[0]] = tuple(found_row[1:])
    ids = [n.source_id for n in found.nights]
    known: set[str] = set()
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        known |= {r[0] for r in conn.exec_driver_sql(
            f"SELECT source_id FROM night WHERE source = ? AND source_id IN ({','.join('?' * len(part))})",
            (found.fmt, *part)).all()}
    new: list[TrackedNight] = []
    there: list[TrackedNight] = []
    replaced: list[TrackedNight] = []
    fill: set[date] = set()
    for n in found.nights:
        row = rows.get(n.night.isoformat())
        if n.source_id in known:  # this very record is stored (perhaps on another date)
            (replaced if replace and row is not None and row[1] == n.source else there).append(n)
        elif row is None:
            new.append(n)
        elif not row[0]:  # a dose or tick but no sleep yet: the tracker's night fills it in
            new.append(n)
            fill.add(n.night)
        elif replace:
            replaced.append(n)
        else:
            there.append(n)
    return TrackedPlan(tuple(new), tuple(there), tuple(replaced), frozenset(fill))


def _tracked_columns(n: TrackedNight) -> tuple[object, ...]:
    return (moment_text(n.bed), moment_text(n.tried), n.latency_min, n.awakenings, n.waso_min,
            moment_text(n.final), moment_text(n.up), n.quality, n.source, n.source_id, n.device)


_TRACKED = "bed, tried, latency_min, awakenings, waso_min, final, up, quality, source, source_id, source_device"


def write_tracked(plan: TrackedPlan, *, session: Session) -> None:
    """Write a plan in the caller's transaction. New nights get what the tracker knows (the rest
    stays NULL: unknown); --replace takes every part the tracker knows and keeps the person's
    answers for the parts it does not (latency, quality, how rested...), their note, doses and
    side effects."""
    conn = session.connection()
    inserts = [(n.night.isoformat(), *_tracked_columns(n), n.note) for n in plan.new if n.night not in plan.fill]
    if inserts:
        conn.exec_driver_sql(f"INSERT INTO night (date, {_TRACKED}, note) VALUES ({', '.join('?' * 13)})", inserts)
    updates = [(*_tracked_columns(n), n.note, n.night.isoformat())
               for n in (*plan.replaced, *(n for n in plan.new if n.night in plan.fill))]
    if updates:
        # A source id can move from one date to another (a re-export with another rollover):
        # the old row loses it, keeping the index unique.
        conn.exec_driver_sql(
            "UPDATE night SET source_id = NULL WHERE source = ? AND source_id = ? AND date <> ?",
            [(u[8], u[9], u[-1]) for u in updates])
        # What the tracker knows wins; what it does not know keeps the person's answer (as the
        # morning log combines them for a night imported fresh).
        conn.exec_driver_sql(
            "UPDATE night SET bed = coalesce(?, bed), tried = coalesce(?, tried), "
            "latency_min = coalesce(?, latency_min), awakenings = coalesce(?, awakenings), "
            "waso_min = coalesce(?, waso_min), final = coalesce(?, final), up = coalesce(?, up), "
            "quality = coalesce(?, quality), source = ?, source_id = ?, source_device = ?, "
            "note = coalesce(note, ?) WHERE date = ?", updates)


@dataclass(frozen=True)
class ImportedParts(PartialNight):
    """What a tracker gave for a night whose diary is not complete (the parts the trend uses, and
    the awakenings): the morning log fills these in and asks for the rest (None: unknown)."""

    source: str
    device: str | None
    awakenings: int | None


def imported_parts(night: date, *, session: Session) -> ImportedParts | None:
    """The imported parts of `night`, or None when it was not imported from a tracker."""
    row = session.connection().exec_driver_sql(
        f"SELECT source, source_device, awakenings, {PARTS_COLUMNS} FROM night WHERE date = ? AND source IS NOT NULL",
        (night.isoformat(),)).first()
    if row is None:
        return None
    source, device, awakenings, *parts = row
    return ImportedParts(**asdict(parts_from_columns(*parts)), source=source, device=device, awakenings=awakenings)
