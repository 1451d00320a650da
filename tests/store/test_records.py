"""Diaries, doses, the checklist, delete/restore, and the export/import round trip."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from magsleep.domain.demo import demo_nights
from magsleep.domain.errors import InvalidInput
from magsleep.domain.import_file import ImportFailed, parse_file
from magsleep.domain.magnesium import dose_amount
from magsleep.domain.sleep_diary import Symptom, diary_from_clock
from magsleep.store import doses, nights, routine, settings
from magsleep.store.demo import write_demo
from magsleep.store.engine import Store
from magsleep.store.transfer import export_all, import_nights

LON = ZoneInfo("Europe/London")
N = date(2026, 11, 20)


def diary(**changes):
    answers = dict(bed="23:00", tried="23:00", latency=45, awakenings=2, waso=60, final="06:30",
                   up="07:00", quality=3, rested=2)
    return diary_from_clock(N, LON, **{**answers, **changes})


def test_logging_a_night_again_replaces_its_diary(store):
    with store.writing() as s:
        nights.save_diary(N, diary(), symptoms=[Symptom("nausea", 2)], note="first", session=s)
    with store.writing() as s:
        nights.save_diary(N, diary(quality=5), symptoms=[], note="second", session=s)
    with store.reading() as s:
        record = nights.load_night(N, session=s)
        assert nights.count_nights(session=s) == 1
    assert record.diary.quality == 5 and record.symptoms == () and record.note == "second"
    assert record.metrics.tst_min == 345


def test_doses_add_up_per_night(store):
    with store.writing() as s:
        doses.add_dose(N, datetime(2026, 11, 20, 21, 0, tzinfo=LON), dose_amount("glycinate", 200), session=s)
        doses.add_dose(N, datetime(2026, 11, 21, 1, 0, tzinfo=LON), dose_amount("oxide", 500, compound=True), session=s)
    with store.reading() as s:
        assert doses.night_total(N, session=s) == pytest.approx(200 + 301.5)
        assert [d.form for d in nights.load_night(N, session=s).doses] == ["glycinate", "oxide"]


def test_checklist_toggle_add_rename_move_deactivate(store):
    with store.writing() as s:
        items = routine.list_items(session=s)
        routine.set_check(N, items[1].id, True, session=s)
        new = routine.add_item("Magnesium-rich dinner", session=s)
        routine.rename_item(items[2].id, "Cool bedroom", session=s)
        routine.move_item(new.id, -10, session=s)
        routine.set_active(items[1].id, False, session=s)
        with pytest.raises(InvalidInput):
            routine.add_item("  take MAGNESIUM ", session=s)
    with store.reading() as s:
        listed = routine.checklist_for(N, session=s)
        tonight = routine.checklist_for(date(2026, 11, 21), session=s)
    assert listed[0].label == "Magnesium-rich dinner"
    # A deactivated item keeps the night it was ticked on, and leaves nights after it.
    assert any(c.label == items[1].label and c.done for c in listed)
    assert all(c.label != items[1].label for c in tonight)
    assert any(c.label == "Cool bedroom" for c in tonight)


def test_delete_and_restore_a_night(store):
    with store.writing() as s:
        write_demo(demo_nights(N, 20, LON), session=s)
    with store.reading() as s:
        before = nights.load_night(N, session=s)
    with store.writing() as s:
        deleted = nights.delete_night(N, session=s)
    with store.reading() as s:
        assert nights.load_night(N, session=s) is None
    with store.writing() as s:
        nights.restore_night(deleted, session=s)
    with store.reading() as s:
        after = nights.load_night(N, session=s)
    kept = ("diary", "note", "symptoms", "checks")
    assert [getattr(after, k) for k in kept] == [getattr(before, k) for k in kept]
    assert [d.elemental_mg for d in after.doses] == [d.elemental_mg for d in before.doses]


def test_settings_round_trip(store):
    with store.writing() as s:
        settings.save_setting("rollover_hour", "4", session=s)
        settings.save_setting("daily_limit_mg", 110, session=s)
        with pytest.raises(InvalidInput):
            settings.save_setting("default_form", "pixie dust", session=s)
    with store.reading() as s:
        got = settings.load_settings(session=s)
    assert (got.rollover_hour, got.daily_limit_mg) == (4, 110)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_import_export_is_identical(store, tmp_path, fmt):
    with store.writing() as s:
        write_demo(demo_nights(N, 45, LON), session=s)
        nights.save_diary(N, diary(), symptoms=[Symptom("cramps", 3)], note='quote " and, comma\nnewline', session=s)
    with store.reading() as s:
        first = export_all(fmt, session=s)
    other = Store.open(tmp_path / "other.db")
    with other.writing() as s:
        import_nights(parse_file(first, fmt), session=s)
    with other.reading() as s:
        second = export_all(fmt, session=s)
    other.close()
    assert first == second
    if fmt == "json":
        night = json.loads(first)["nights"][-1]
        assert night["bed"].endswith("+00:00") and night["tib_min"] == 480 and night["se_pct"] == 71.9


def test_import_names_line_and_field():
    good = {"night": "2026-11-01", "bed": None, "doses": []}
    rows = [dict(good, night=f"2026-10-{d:02d}") for d in range(1, 20)]
    rows[7] = {"night": "2026-10-08", "bed": "2026-10-08T23:00:00+00:00", "final": "2026-10-09T07:00:00+00:00",
               "up": "2026-10-09T07:00:00+00:00", "quality": "great"}
    rows.append(dict(good, night="2026-10-03"))
    text = json.dumps({"nights": rows}, indent=2)
    with pytest.raises(ImportFailed) as err:
        parse_file(text, "json")
    problems = err.value.problems
    lines = text.splitlines()
    line_of_8th = next(i for i, line in enumerate(lines) if "2026-10-08" in line)  # the "{" before it
    assert any("field quality" in p and "night 2026-10-08" in p for p in problems)
    assert any("appears twice" in p for p in problems)
    assert any(f"line {line_of_8th}" in p for p in problems), (problems, line_of_8th)


@pytest.mark.parametrize("text, fmt, fragment", [
    ("{not json", "json", "not valid JSON"),
    ('{"nights": 3}', "json", '"nights" list'),
    ('{"nights": [{"night": "2026-02-30"}]}', "json", "field night"),
    ('{"nights": [{"night": "2026-02-01", "doses": [{"taken_at": "2026-02-01T22:00:00+00:00", '
     '"form": "glycinate", "amount_mg": -1}]}]}', "json", "doses[0].amount"),
    ('{"nights": [{"night": "2026-02-01", "doses": [{"taken_at": "22:00", "form": "glycinate", '
     '"amount_mg": 100}]}]}', "json", "doses[0].taken_at"),
    ("date,x\n2026-01-01,1\n", "csv", "no 'night' column"),
    ("night,quality\n2026-01-01,1,9\n", "csv", "more cells"),
])
def test_import_rejects_malformed_files(text, fmt, fragment):
    with pytest.raises(ImportFailed) as err:
        parse_file(text, fmt)
    assert fragment in str(err.value)
