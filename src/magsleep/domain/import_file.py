"""The export file format, and reading it back: every row checked before anything is written.

JSON: ``{"nights": [{"night": "YYYY-MM-DD", "bed": ..., "doses": [...], ...}], "trials": [...]}``
with moments as ISO 8601 with their UTC offset. CSV: one row per night with the same scalar
columns, plus ``symptoms`` (``kind:severity;...``), and ``doses`` and ``routine`` as JSON text.
Pure: `store.transfer` writes the exports and the checked nights. Values a file claims that can
be derived (metrics, elemental mg, minutes from dose to bed) are recomputed, and a file that
disagrees is refused; a field this version does not know is refused too. A night imported from a
tracker travels with its `source` and may have an incomplete diary (the answers it knew); any
other night's diary is complete or absent.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from json.decoder import scanstring  # type: ignore[attr-defined]  # (C-accelerated; untyped)
from typing import Any

from magsleep.domain.dose_timing import dose_to_bed_min
from magsleep.domain.errors import InvalidInput
from magsleep.domain.magnesium import dose_amount
from magsleep.domain.parsing import check_date, clean_note, iso_moment, parse_date, parse_number
from magsleep.domain.routine import clean_label, label_key
from magsleep.domain.sleep_diary import Answers, Diary, Provenance, Symptom, compute_metrics, parse_symptom
from magsleep.domain.text_safety import csv_uncell, visible
from magsleep.domain.trackers.night import TRACKERS, check_parts
from magsleep.domain.trend import answered_minutes
from magsleep.domain.trial_plan import BLIND_ORDERS, ORDERS, TrialPlan, check_plan, check_plan_numbers

PROVENANCE_COLUMNS = ("source", "source_id", "source_device")
"""The last of SCALAR_COLUMNS: written only when a night came from a tracker."""
SCALAR_COLUMNS = ("night", "bed", "tried", "latency_min", "awakenings", "waso_min", "final", "up",
                  "quality", "rested", "tib_min", "tst_min", "se_pct", "elemental_mg", "dose_to_bed_min", "note",
                  *PROVENANCE_COLUMNS)
CSV_COLUMNS = (*SCALAR_COLUMNS, "symptoms", "doses", "routine")
MAX_PROBLEMS = 20
TRIAL_KEYS = ("start", "baseline_nights", "period_nights", "pairs", "washout_nights", "outcome", "orders",
              "created_at", "stopped_at", "fingerprint", "blinded", "commitment")
"""A blinded plan goes out with its commitment, never its mapping: an import brings it back sealed."""
NIGHT_KEYS = frozenset(CSV_COLUMNS)
DOSE_KEYS = frozenset(("taken_at", "form", "amount_mg", "amount_is", "percent", "elemental_mg", "note"))


@dataclass(frozen=True)
class ImportNight:
    """A checked night from a file, ready to write."""

    line: int
    night: date
    diary: Diary | None
    note: str | None
    doses: tuple[dict[str, Any], ...]
    symptoms: tuple[Symptom, ...]
    routine: tuple[tuple[str, bool], ...]
    answers: Answers | None = None
    """A tracker's night whose diary is not complete: the answers it holds (`diary` is None)."""
    provenance: Provenance | None = None


@dataclass(frozen=True)
class ImportFile:
    """Everything a checked file holds: its nights, and (JSON only) its trial plans."""

    nights: list[ImportNight]
    trials: list[TrialPlan]


class ImportFailed(Exception):
    """A file that cannot be imported; `problems` name the line and field of each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def limited(problems: list[str]) -> list[str]:
    """At most MAX_PROBLEMS lines, and how many more there were."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more problems"]


def parse_file(text: str, fmt: str, *, latest: date | None = None) -> ImportFile:
    """Read and check every row of an export; raises ImportFailed naming each problem.

    `latest` is the last night that may be imported (tonight): nights in the future are refused.
    """
    text = text.removeprefix("\ufeff")  # a byte-order mark, as spreadsheets save CSV
    trials_raw: object = []
    if fmt == "json":
        items, trials_raw = _json_items(text)
    else:
        items = _csv_items(text)
    problems: list[str] = []
    nights: list[ImportNight] = []
    seen: dict[date, int] = {}
    for line, raw in items:
        try:
            parsed = _parse_night(line, raw, latest)
        except InvalidInput as err:
            label = raw.get("night") if isinstance(raw, dict) else None
            where = f"line {line}" + (f" (night {label[:10]})" if isinstance(label, str) else "")
            problems.append(f"{where}, field {err.field}: {err.message}")
            continue
        if parsed.night in seen:
            problems.append(f"line {line}, field night: {parsed.night} appears twice "
                            f"(first on line {seen[parsed.night]})")
        seen.setdefault(parsed.night, line)
        nights.append(parsed)
    trials = _parse_trials(trials_raw, problems, latest)
    if problems:
        raise ImportFailed(limited(problems))
    return ImportFile(nights, trials)


def _parse_trials(raw: object, problems: list[str], latest: date | None = None) -> list[TrialPlan]:
    """Trial plans from a file: each checked in full as a plan made in magsleep is (`check_plan`:
    made by `latest`, starting within a year), its fingerprint recomputed (a plan changed after it
    was made is refused), and none twice."""
    if not isinstance(raw, list):
        problems.append('field trials: must be a list')
        return []
    plans: list[TrialPlan] = []
    for index, t in enumerate(raw):
        field = f"trials[{index}]"
        try:
            plan = _parse_trial(t, field, latest)
            if any(p.fingerprint == plan.fingerprint for p in plans):
                raise InvalidInput(field, f"is the same plan as an earlier one ({plan.short_fingerprint})")
            plans.append(plan)
        except InvalidInput as err:
            problems.append(f"field {err.field}: {err.message}")
    return plans


def _parse_trial(t: object, field: str, latest: date | None) -> TrialPlan:
    """One plan from a file, checked as `_parse_trials` says; InvalidInput names the field."""
    if not isinstance(t, dict):
        raise InvalidInput(field, "must be an object")
    # `trial status --json` adds "unblinded_at": known, and ignored (a plan comes back sealed).
    _known_fields(t, frozenset(TRIAL_KEYS) | {"unblinded_at"}, f"{field}.")
    blinded, sealed_to = _blinding(t, field)
    orders = t.get("orders")
    allowed = BLIND_ORDERS if blinded else ORDERS
    if not isinstance(orders, list) or any(o not in allowed for o in orders):
        raise InvalidInput(f"{field}.orders", f"must be a list of {' / '.join(repr(o) for o in allowed)}")
    numbers = {key: _int(t.get(key), f"{field}.{key}", 0, 1000)
               for key in ("baseline_nights", "period_nights", "pairs", "washout_nights")}
    outcome = t.get("outcome")
    try:
        check_plan_numbers(numbers["baseline_nights"], numbers["period_nights"], numbers["pairs"],
                           numbers["washout_nights"], outcome if isinstance(outcome, str) else "")
    except InvalidInput as err:
        raise InvalidInput(f"{field}.{err.field.lstrip('-')}", err.message) from None
    if len(orders) != numbers["pairs"]:
        raise InvalidInput(f"{field}.orders", "must hold one order per pair")
    start = parse_date(t.get("start") if isinstance(t.get("start"), str) else None, f"{field}.start")
    created, stopped = t.get("created_at"), t.get("stopped_at")
    _moment(created, f"{field}.created_at")
    if stopped is not None:
        _moment(stopped, f"{field}.stopped_at")
    plan = TrialPlan(start, numbers["baseline_nights"], numbers["period_nights"], numbers["pairs"],
                     numbers["washout_nights"], str(outcome), tuple(orders), str(created), stopped,
                     blinded=blinded, commitment=sealed_to)
    try:
        check_plan(plan, latest_made=latest)
    except InvalidInput as err:
        raise InvalidInput(f"{field}.{err.field.lstrip('-')}", err.message) from None
    if plan.fingerprint != t.get("fingerprint"):
        raise InvalidInput(f"{field}.fingerprint", "does not match the plan: it was changed after it was made")
    return plan


def _blinding(t: dict[str, Any], field: str) -> tuple[bool, str | None]:
    """A plan's `blinded` flag and commitment (never the mapping: it is not in an export)."""
    blinded, sealed_to = t.get("blinded", False), t.get("commitment")
    if not isinstance(blinded, bool) or not (sealed_to is None or isinstance(sealed_to, str)):
        raise InvalidInput(f"{field}.blinded", "must be true or false, with a commitment string")
    return blinded, sealed_to


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # json.loads keeps the last of two equal keys: the file would mean two things at once.
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _json_items(text: str) -> tuple[list[tuple[int, object]], object]:  # noqa: C901
    # Over McCabe 10 on purpose: one except per way json can refuse a file, each with its own line
    # for the person, then one walk over the text; split, the walk would need the decoder passed along.
    """The nights of a JSON export with the line each starts on, and its trial plans."""
    decoder = json.JSONDecoder(object_pairs_hook=_unique_keys)
    try:
        data = decoder.decode(text)
    except json.JSONDecodeError as err:
        raise ImportFailed([f"line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})"]) from None
    except _DuplicateKey as err:
        raise ImportFailed([f"the key {visible(err.key)[:40]!r} appears twice in one object; "
                            "the file is ambiguous"]) from None
    except RecursionError:
        raise ImportFailed(["the JSON is nested too deeply to be a magsleep export"]) from None
    except ValueError as err:  # e.g. an integer of more than 4,300 digits
        raise ImportFailed([f"not a usable JSON file ({visible(err)[:80]})"]) from None
    if not isinstance(data, dict) or not isinstance(data.get("nights"), list):
        raise ImportFailed(['line 1: expected an object with a "nights" list'])
    unknown = sorted(set(data) - {"nights", "trials"})
    if unknown:
        raise ImportFailed([f"line 1: unknown top-level field {visible(unknown[0])[:40]!r}; "
                            "is this a magsleep export?"])
    # Find where each night starts: walk the (already valid) top-level object to *its* "nights"
    # key, so a "nights" inside another value cannot mislead the line numbers.
    pos = _skip_space(text, 0) + 1
    while True:
        pos = _skip_space(text, pos)
        key, pos = scanstring(text, pos + 1)
        pos = _skip_space(text, _skip_space(text, pos) + 1)  # past the colon
        if key == "nights":
            break
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, pos) + 1  # past the comma
    pos += 1  # past "["
    lines: list[int] = []
    line, counted = 1, 0  # newlines are counted once, as the walk moves on (a 50 MB file has many)
    for _ in data["nights"]:
        while text[pos] in " \t\r\n,":
            pos += 1
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
        _, pos = decoder.raw_decode(text, pos)
    return list(zip(lines, data["nights"])), data.get("trials", [])


def _csv_items(text: str) -> list[tuple[int, object]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    if "night" not in fields:
        raise ImportFailed(["line 1: the header has no 'night' column"])
    if len(set(fields)) != len(fields):
        raise ImportFailed(["line 1: the header names a column twice"])
    rows: list[tuple[int, object]] = []
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise ImportFailed([f"line {line}: more cells than the header has columns"])
            item: dict[str, object] = {k: (csv_uncell(v) if v != "" else None) for k, v in row.items()}
            item["symptoms"] = [s for s in str(item.get("symptoms") or "").split(";") if s]
            for key, empty in (("doses", []), ("routine", {})):
                cell = item.get(key)
                try:
                    item[key] = json.loads(str(cell), object_pairs_hook=_unique_keys) if cell else empty
                except (ValueError, RecursionError):
                    raise ImportFailed([f"line {line}, field {key}: not valid JSON"]) from None
            rows.append((line, item))
    except csv.Error as err:
        raise ImportFailed([f"line {reader.line_num}: {err}"]) from None
    return rows


def _moment(value: object, field: str) -> datetime:
    moment = iso_moment(value, field, example=" with its UTC offset")
    if moment.tzinfo is None:
        raise InvalidInput(field, "needs its UTC offset, e.g. 2026-11-24T23:00:00+01:00")
    check_date(moment.date(), field)
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


def _text(value: object, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    return clean_note(value, field)


def _agrees(given: object, computed: float | None, field: str, tolerance: float = 0.05) -> None:
    """A derived value in a file is checked against the one computed from the facts, never trusted."""
    if given is None:
        return
    if computed is None:
        raise InvalidInput(field, "is given, but there is nothing to derive it from")
    if isinstance(given, bool) or not isinstance(given, (int, float, str)):
        raise InvalidInput(field, "must be a number")
    value = parse_number(given, field, minimum=-1e9, maximum=1e9)
    if abs(value - computed) > tolerance:
        raise InvalidInput(field, f"says {value:g}, but the night's own answers give {computed:g}; "
                                  "derived values are recomputed, not taken from the file")


def _parse_night(line: int, raw: object, latest: date | None) -> ImportNight:
    if not isinstance(raw, dict):
        raise InvalidInput("night", "each night must be an object")
    night_text = raw.get("night")
    night = parse_date(night_text if isinstance(night_text, str) else None, "night", latest=latest)
    _known_fields(raw, NIGHT_KEYS, "")
    provenance = _parse_provenance(raw)
    incomplete = provenance is not None and not _complete(raw)
    answers = _parse_answers(raw) if incomplete else None
    diary = _parse_diary(raw) if not incomplete else None
    doses = _parse_doses(raw.get("doses"))
    if diary is not None:
        _on_night(diary.bed, night, "bed")  # the other answers are checked against bed (within 24 h)
    for key in ("bed", "tried", "final", "up") if answers is not None else ():
        if (moment := getattr(answers, key)) is not None:
            _on_night(moment, night, key)
    for index, d in enumerate(doses):
        _on_night(d["taken_at"], night, f"doses[{index}].taken_at")
    _check_derived(raw, diary or answers, doses)
    return ImportNight(line, night, diary, _text(raw.get("note"), "note"), tuple(doses),
                       _parse_symptoms(raw.get("symptoms")), _parse_routine(raw.get("routine")), answers, provenance)


def _parse_provenance(raw: dict[str, Any]) -> Provenance | None:
    """Where an exported night was imported from, when it was: a tracker magsleep reads."""
    source = raw.get("source")
    if source is None:
        if raw.get("source_id") is not None or raw.get("source_device") is not None:
            raise InvalidInput("source", "is needed with source_id and source_device")
        return None
    if not isinstance(source, str) or source not in TRACKERS:
        raise InvalidInput("source", f"must be one of {', '.join(TRACKERS)}")
    return Provenance(source, _exact(raw.get("source_id"), "source_id"), _exact(raw.get("source_device"),
                                                                                  "source_device"))


def _exact(value: object, field: str, limit: int = 500) -> str | None:
    """A tracker's own text (its record id, its device), kept exactly as stored: an id changed by
    a single space would no longer match the tracker's file. Shown only through `visible`."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    if value is not None and len(value) > limit:
        raise InvalidInput(field, f"is longer than {limit} characters")
    return value


ANSWER_KEYS = ("bed", "latency_min", "awakenings", "waso_min", "final", "up", "quality")
"""What a complete diary needs (a tracker's night gives some of them; how rested is optional)."""


def _complete(raw: dict[str, Any]) -> bool:
    return all(raw.get(key) is not None for key in ANSWER_KEYS)


def _parse_answers(raw: dict[str, Any]) -> Answers | None:
    """A tracker's incomplete diary, each answer checked as the diary's is, None when unknown
    (None when it holds no answer: a diary deleted in History keeps where the night came from)."""
    def moment(key: str) -> datetime | None:
        return None if raw.get(key) is None else _moment(raw[key], key)

    def number(key: str, lo: int, hi: int) -> int | None:
        return None if raw.get(key) is None else _int(raw[key], key, lo, hi)

    answers = Answers(moment("bed"), moment("tried"), number("latency_min", 0, 720), number("awakenings", 0, 60),
                      number("waso_min", 0, 1440), moment("final"), moment("up"), number("quality", 1, 5),
                      number("rested", 1, 5))
    if answers == Answers():
        return None
    # The checks its tracker's record passed on the way in: a start and an end, in order, that fit.
    check_parts(answers.bed, answers.tried, answers.latency_min, answers.awakenings, answers.waso_min,
                answers.final, answers.up)
    return answers


def _on_night(moment: datetime, night: date, field: str) -> None:
    """A moment recorded for `night` lies on it: on its local clock from the evening's midnight to
    the second midnight after. That holds for every rollover hour (0-23) the app can have, and
    refuses a diary or a dose dated years away from its night."""
    day = moment.replace(tzinfo=None).date()
    if not night <= day <= night + timedelta(days=1):
        raise InvalidInput(field, f"{moment.isoformat(timespec='minutes')} is not on the night of {night} "
                                  f"(it must fall on {night} or the morning after)")


def _check_derived(raw: dict[str, Any], answered: Diary | Answers | None, doses: list[dict[str, Any]]) -> None:
    """A value the file claims that can be computed must agree with the computation: a file is
    never trusted when it claims a derived value."""
    if isinstance(answered, Diary):
        metrics = compute_metrics(answered)
        derived: tuple[float | None, ...] = (metrics.tib_min, metrics.tst_min, metrics.se_pct)
    else:
        derived = answered_minutes(answered) if answered is not None else (None, None, None)
    for key, value in zip(("tib_min", "tst_min", "se_pct"), derived, strict=True):
        _agrees(raw.get(key), value, key)
    tried = (answered.tried or answered.bed) if answered is not None else None
    _agrees(raw.get("dose_to_bed_min"), dose_to_bed_min([d["taken_at"] for d in doses], tried),
            "dose_to_bed_min", 0.5)
    total = round(sum(d["elemental_mg"] for d in doses), 1)
    if raw.get("elemental_mg") is not None or doses:
        _agrees(raw.get("elemental_mg", total), total, "elemental_mg")


def _known_fields(raw: dict[str, Any], known: frozenset[str], prefix: str) -> None:
    # A field this version does not know would be dropped without a word: refuse instead.
    unknown = sorted(str(k) for k in set(raw) - known)
    if unknown:
        raise InvalidInput(f"{prefix}{visible(unknown[0])[:40]}",
                           "is not a field this version of magsleep knows (an export from a newer one?)")


DIARY_KEYS = ("tried", "latency_min", "awakenings", "waso_min", "final", "up", "quality", "rested")


def _parse_diary(raw: dict[str, Any]) -> Diary | None:
    if raw.get("bed") is None:
        if any(raw.get(key) is not None for key in DIARY_KEYS):  # answers would be dropped unseen
            raise InvalidInput("bed", "is needed for the other sleep-diary answers given")
        return None
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
    compute_metrics(diary)  # refuses an impossible diary, naming the field
    return diary


def _parse_doses(raw_doses: object) -> list[dict[str, Any]]:
    if raw_doses is None:
        return []
    if not isinstance(raw_doses, list):
        raise InvalidInput("doses", "must be a list")
    doses = []
    for index, d in enumerate(raw_doses):
        field = f"doses[{index}]"
        if not isinstance(d, dict):
            raise InvalidInput(field, "must be an object")
        _known_fields(d, DOSE_KEYS, f"{field}.")
        amount_is = d.get("amount_is", "elemental")
        if amount_is not in ("elemental", "compound"):
            raise InvalidInput(f"{field}.amount_is", "must be 'elemental' or 'compound'")
        try:
            checked = dose_amount(d.get("form"), d.get("amount_mg"), compound=amount_is == "compound",
                                  percent=d.get("percent"))
        except InvalidInput as err:
            raise InvalidInput(f"{field}.{err.field}", err.message) from None
        _agrees(d.get("elemental_mg"), checked.elemental_mg, f"{field}.elemental_mg")
        doses.append({"taken_at": _moment(d.get("taken_at"), f"{field}.taken_at"), "form": checked.form,
                      "amount_mg": checked.amount_mg, "amount_is": amount_is, "percent": checked.percent,
                      "elemental_mg": checked.elemental_mg, "note": _text(d.get("note"), f"{field}.note")})
    return doses


def _parse_symptoms(raw_symptoms: object) -> tuple[Symptom, ...]:
    if raw_symptoms is None:
        return ()
    if not isinstance(raw_symptoms, list):
        raise InvalidInput("symptoms", "must be a list")
    symptoms = []
    for s in raw_symptoms:
        if isinstance(s, dict):
            s = f"{s.get('kind')}:{s.get('severity', 1)}"
        symptoms.append(parse_symptom(s if isinstance(s, str) else None, "symptoms"))
    return tuple(symptoms)


def _parse_routine(routine_raw: object) -> tuple[tuple[str, bool], ...]:
    if routine_raw is None:
        return ()
    if not isinstance(routine_raw, dict):
        raise InvalidInput("routine", "must be an object of label: true/false")
    routine: dict[str, tuple[str, bool]] = {}
    for label, done in routine_raw.items():
        shown = visible(label)[:40]
        if not isinstance(done, bool):
            raise InvalidInput("routine", f"{shown!r} must be true or false")
        clean = clean_label(label)
        key = label_key(clean)
        if key in routine:
            raise InvalidInput("routine", f"{visible(routine[key][0])!r} and {shown!r} are the same item "
                                          "(they differ only in case or spacing)")
        routine[key] = (clean, done)
    return tuple(routine.values())
