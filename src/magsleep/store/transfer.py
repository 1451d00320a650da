"""Export to JSON or CSV, and an all-or-nothing import of the same files.

JSON: ``{"nights": [{"night": "YYYY-MM-DD", "bed": ..., "doses": [...], ...}]}`` with moments
as ISO 8601 with their UTC offset. CSV: one row per night with the same scalar columns, plus
``symptoms`` (``kind:severity;...``), and ``doses`` and ``routine`` as JSON text, so a CSV
export can be imported back without loss. Exporting, importing into an empty database and
exporting again gives identical output.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from magsleep.domain.errors import InvalidInput
from magsleep.domain.magnesium import MAX_AMOUNT_MG, dose_amount
from magsleep.domain.parsing import clean_note, parse_date, parse_number
from magsleep.domain.routine import clean_label
from magsleep.domain.sleep_diary import Diary, Symptom, compute_metrics, parse_symptom
from magsleep.store.models import Dose, Night, RoutineCheck
from magsleep.store.nights import load_nights, save_diary
from magsleep.store.records import NightRecord
from magsleep.store.routine_store import add_item, item_by_label

SCALAR_COLUMNS = ("night", "bed", "tried", "latency_min", "awakenings", "waso_min", "final", "up",
                  "quality", "rested", "tib_min", "tst_min", "se_pct", "elemental_mg", "note")
CSV_COLUMNS = (*SCALAR_COLUMNS, "symptoms", "doses", "routine")
MAX_PROBLEMS = 20


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def night_to_dict(record: NightRecord) -> dict:
    """One night as the export format has it."""
    diary, metrics = record.diary, record.metrics
    return {
        "night": record.night.isoformat(),
        "bed": _iso(diary.bed) if diary else None,
        "tried": _iso(diary.tried) if diary else None,
        "latency_min": diary.latency_min if diary else None,
        "awakenings": diary.awakenings if diary else None,
        "waso_min": diary.waso_min if diary else None,
        "final": _iso(diary.final) if diary else None,
        "up": _iso(diary.up) if diary else None,
        "quality": diary.quality if diary else None,
        "rested": diary.rested if diary else None,
        "tib_min": metrics.tib_min if metrics else None,
        "tst_min": metrics.tst_min if metrics else None,
        "se_pct": metrics.se_pct if metrics else None,
        "elemental_mg": record.elemental_mg,
        "doses": [
            {"taken_at": _iso(d.taken_at), "form": d.form, "amount_mg": d.amount_mg,
             "amount_is": d.amount_is, "percent": d.percent, "elemental_mg": d.elemental_mg,
             "note": d.note}
            for d in record.doses
        ],
        # Sorted so a round trip is identical whatever order the checklist items have.
        "routine": {c.label: c.done for c in sorted(record.checks, key=lambda c: c.label)},
        "symptoms": [{"kind": s.kind, "severity": s.severity} for s in record.symptoms],
        "note": record.note,
    }


def export_json(records: list[NightRecord]) -> str:
    return json.dumps({"nights": [night_to_dict(r) for r in records]}, indent=2, ensure_ascii=False) + "\n"


def export_csv(records: list[NightRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        row = night_to_dict(record)
        writer.writerow(
            [_cell(row[c]) for c in SCALAR_COLUMNS]
            + [";".join(f"{s['kind']}:{s['severity']}" for s in row["symptoms"]),
               json.dumps(row["doses"], ensure_ascii=False) if row["doses"] else "",
               json.dumps(row["routine"], ensure_ascii=False) if row["routine"] else ""]
        )
    return out.getvalue()


def _cell(value: object) -> str:
    return "" if value is None else str(value)


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportNight:
    """A checked night from a file, ready to write."""

    line: int
    night: date
    diary: Diary | None
    note: str | None
    doses: tuple[dict, ...]
    symptoms: tuple[Symptom, ...]
    routine: tuple[tuple[str, bool], ...]


class ImportFailed(Exception):
    """A file that cannot be imported; `problems` name the line and field of each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_file(text: str, fmt: str) -> list[ImportNight]:
    """Read and check every row of an export; raises ImportFailed naming each problem."""
    items = _json_items(text) if fmt == "json" else _csv_items(text)
    problems: list[str] = []
    nights: list[ImportNight] = []
    seen: dict[date, int] = {}
    for line, raw in items:
        try:
            parsed = _parse_night(line, raw)
        except InvalidInput as err:
            label = raw.get("night") if isinstance(raw, dict) else None
            where = f"line {line}" + (f" (night {label})" if isinstance(label, str) else "")
            problems.append(f"{where}, field {err.field}: {err.message}")
        else:
            if parsed.night in seen:
                problems.append(f"line {line}, field night: {parsed.night} appears twice "
                                f"(first on line {seen[parsed.night]})")
            seen.setdefault(parsed.night, line)
            nights.append(parsed)
        if len(problems) >= MAX_PROBLEMS:
            problems.append("(stopped after 20 problems)")
            break
    if problems:
        raise ImportFailed(problems)
    return nights


def _json_items(text: str) -> list[tuple[int, object]]:
    """The nights of a JSON export with the line each starts on."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportFailed([f"line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})"]) from None
    if not isinstance(data, dict) or not isinstance(data.get("nights"), list):
        raise ImportFailed(['line 1: expected an object with a "nights" list'])
    # Walk the array again with raw_decode to learn where each night starts.
    decoder = json.JSONDecoder()
    lines: list[int] = []
    start = text.find("[", text.find('"nights"'))
    pos = start + 1
    line, counted = 1, 0  # newlines are counted once, as the walk moves on (a 50 MB file has many)
    for _ in data["nights"]:
        while text[pos] in " \t\r\n,":
            pos += 1
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
        _, pos = decoder.raw_decode(text, pos)
    return list(zip(lines, data["nights"]))


def _csv_items(text: str) -> list[tuple[int, object]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("night",) if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFailed(["line 1: the header has no 'night' column"])
    rows: list[tuple[int, object]] = []
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise ImportFailed([f"line {line}: more cells than the header has columns"])
            item: dict[str, object] = {k: (v if v != "" else None) for k, v in row.items()}
            item["symptoms"] = [s for s in (item.get("symptoms") or "").split(";") if s]
            for key, empty in (("doses", []), ("routine", {})):
                cell = item.get(key)
                try:
                    item[key] = json.loads(cell) if cell else empty
                except json.JSONDecodeError:
                    raise ImportFailed([f"line {line}, field {key}: not valid JSON"]) from None
            rows.append((line, item))
    except csv.Error as err:
        raise ImportFailed([f"line {reader.line_num}: {err}"]) from None
    return rows


def _moment(value: object, field: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidInput(field, "must be an ISO date-time with its UTC offset")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{value[:30]!r} is not an ISO date-time") from None
    if moment.tzinfo is None:
        raise InvalidInput(field, "needs its UTC offset, e.g. 2026-11-24T23:00:00+01:00")
    return moment


def _int(value: object, field: str, lo: int, hi: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInput(field, "must be a whole number")
    number = parse_number(value, field, minimum=lo, maximum=hi)
    if number != int(number):
        raise InvalidInput(field, "must be a whole number")
    return int(number)


def _parse_night(line: int, raw: object) -> ImportNight:
    if not isinstance(raw, dict):
        raise InvalidInput("night", "each night must be an object")
    night_text = raw.get("night")
    night = parse_date(night_text if isinstance(night_text, str) else None, "night")
    diary = None
    if raw.get("bed") is not None:
        bed = _moment(raw.get("bed"), "bed")
        diary = Diary(
            bed=bed,
            tried=bed if raw.get("tried") is None else _moment(raw["tried"], "tried"),
            latency_min=_int(raw.get("latency_min", 0) or 0, "latency_min", 0, 720),
            awakenings=_int(raw.get("awakenings", 0) or 0, "awakenings", 0, 60),
            waso_min=_int(raw.get("waso_min", 0) or 0, "waso_min", 0, 1440),
            final=_moment(raw.get("final"), "final"),
            up=_moment(raw.get("up"), "up"),
            quality=_int(raw.get("quality"), "quality", 1, 5),
            rested=None if raw.get("rested") is None else _int(raw["rested"], "rested", 1, 5),
        )
        compute_metrics(diary)
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise InvalidInput("note", "must be text")
    note = clean_note(note)
    doses = []
    raw_doses = raw.get("doses") or []
    if not isinstance(raw_doses, list):
        raise InvalidInput("doses", "must be a list")
    for index, d in enumerate(raw_doses):
        field = f"doses[{index}]"
        if not isinstance(d, dict):
            raise InvalidInput(field, "must be an object")
        amount_is = d.get("amount_is", "elemental")
        if amount_is not in ("elemental", "compound"):
            raise InvalidInput(f"{field}.amount_is", "must be 'elemental' or 'compound'")
        try:
            checked = dose_amount(d.get("form"), d.get("amount_mg"), compound=amount_is == "compound",
                                  percent=d.get("percent"))
        except InvalidInput as err:
            raise InvalidInput(f"{field}.{err.field}", err.message) from None
        elemental = d.get("elemental_mg", checked.elemental_mg)
        if isinstance(elemental, bool) or not isinstance(elemental, (int, float)) \
                or not math.isfinite(elemental) or not 0 < elemental <= MAX_AMOUNT_MG:
            raise InvalidInput(f"{field}.elemental_mg", "must be a positive number of mg")
        dose_note = d.get("note")
        if dose_note is not None and not isinstance(dose_note, str):
            raise InvalidInput(f"{field}.note", "must be text")
        dose_note = clean_note(dose_note, f"{field}.note")
        doses.append({"taken_at": _moment(d.get("taken_at"), f"{field}.taken_at"), "form": checked.form,
                      "amount_mg": checked.amount_mg, "amount_is": amount_is, "percent": checked.percent,
                      "elemental_mg": float(elemental), "note": dose_note})
    symptoms = []
    raw_symptoms = raw.get("symptoms") or []
    if not isinstance(raw_symptoms, list):
        raise InvalidInput("symptoms", "must be a list")
    for s in raw_symptoms:
        if isinstance(s, dict):
            s = f"{s.get('kind')}:{s.get('severity', 1)}"
        symptoms.append(parse_symptom(s if isinstance(s, str) else None, "symptoms"))
    routine_raw = raw.get("routine") or {}
    if not isinstance(routine_raw, dict):
        raise InvalidInput("routine", "must be an object of label: true/false")
    routine = []
    for label, done in routine_raw.items():
        if not isinstance(done, bool):
            raise InvalidInput("routine", f"{label!r} must be true or false")
        routine.append((clean_label(label), done))
    return ImportNight(line, night, diary, note, tuple(doses), tuple(symptoms), tuple(routine))


def import_nights(nights: list[ImportNight], *, session: Session) -> int:
    """Write checked nights in the caller's transaction; refuses nights already stored."""
    wanted = [n.night.isoformat() for n in nights]
    existing = set()
    for chunk in range(0, len(wanted), 500):
        existing |= set(session.exec(select(Night.date).where(Night.date.in_(wanted[chunk:chunk + 500]))))
    clashes = [n for n in nights if n.night.isoformat() in existing]
    if clashes:
        raise ImportFailed([f"line {n.line}, field night: {n.night} is already in the database"
                            for n in clashes[:MAX_PROBLEMS]])
    items: dict[str, int] = {}
    for n in nights:
        row = save_diary(n.night, n.diary, symptoms=n.symptoms, note=n.note, session=session)
        for d in n.doses:
            session.add(Dose(night_id=row.id, taken_at=_iso(d["taken_at"]), form=d["form"],
                             amount_mg=d["amount_mg"], amount_is=d["amount_is"], percent=d["percent"],
                             elemental_mg=d["elemental_mg"], note=d["note"]))
        for label, done in n.routine:
            key = label.lower()
            if key not in items:
                item = item_by_label(label, session=session)
                items[key] = item.id if item is not None else add_item(label, session=session).id
            session.add(RoutineCheck(night_id=row.id, item_id=items[key], done=done))
    return len(nights)


def export_all(fmt: str, *, session: Session) -> str:
    records = load_nights(session=session)
    return export_json(records) if fmt == "json" else export_csv(records)
