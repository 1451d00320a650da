"""Small refusals from issue 17: a dose too small to state, a dry run that must create nothing,
and an imported diary or dose dated away from its night."""

from __future__ import annotations

import json

import pytest


def _night(**fields) -> dict:
    night = {"night": "2026-01-05"}
    night.update(fields)
    return night


DIARY = {"bed": "2026-01-05T23:00:00+00:00", "final": "2026-01-06T06:30:00+00:00", "up": "2026-01-06T07:00:00+00:00",
         "latency_min": 10, "quality": 3}


def _import(run, tmp_path, *nights: dict, dry_run: bool = False):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"nights": list(nights)}), encoding="utf-8")
    return run("import", *(["--dry-run"] if dry_run else []), str(path))


@pytest.mark.parametrize("amount", ["0.0000001", "0.05", "0.0000001mg"])
def test_a_dose_too_small_to_state_is_refused_and_nothing_is_created(run, db_path, amount):
    result = run("dose", amount)
    assert result.exit_code == 2
    assert result.stderr.startswith("magsleep: amount: ") and "less than 0.1 mg" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not db_path.exists()


def test_a_compound_dose_whose_magnesium_rounds_to_nothing_is_refused(run, db_path):
    result = run("dose", "0.5", "--form", "threonate", "--compound")
    assert result.exit_code == 2 and "mg of magnesium" in result.stderr and not db_path.exists()


def test_an_imported_dose_too_small_to_state_is_refused(run, tmp_path, exported):
    dose = {"taken_at": "2026-01-05T21:00:00+00:00", "form": "glycinate", "amount_mg": 0.0000001}
    result = _import(run, tmp_path, _night(doses=[dose]))
    assert result.exit_code == 2 and "doses[0].amount: 0.0000001 mg is less than 0.1 mg" in result.stderr
    assert run("dose", "100", "--at", "2026-01-05T21:00").exit_code == 0
    assert [n["elemental_mg"] for n in exported()] == [100.0]


def test_import_dry_run_creates_no_folder_and_no_database(run, tmp_path, db_path):
    result = _import(run, tmp_path, _night(**DIARY), dry_run=True)
    assert result.exit_code == 0, result.output
    assert "1 nights would import" in result.stdout
    assert not db_path.parent.exists()


def test_import_dry_run_still_finds_clashes_and_writes_nothing(run, tmp_path, exported):
    assert _import(run, tmp_path, _night(**DIARY)).exit_code == 0
    before = exported()
    again = _import(run, tmp_path, _night(**DIARY), _night(night="2026-01-06"), dry_run=True)
    assert again.exit_code == 2 and "2026-01-05 is already in the database" in again.stderr
    assert _import(run, tmp_path, _night(night="2026-01-07"), dry_run=True).exit_code == 0
    assert exported() == before


@pytest.mark.parametrize(("field", "value", "where"), [
    ("bed", "2021-01-05T23:00:00+00:00", "bed"),
    ("bed", "2026-01-07T00:30:00+00:00", "bed"),
    ("bed", "2026-01-04T23:00:00+00:00", "bed"),
    ("dose", "2024-01-05T21:00:00+00:00", "doses[0].taken_at"),
    ("dose", "2026-01-07T01:00:00+00:00", "doses[0].taken_at"),
])
def test_a_diary_or_dose_dated_away_from_its_night_is_refused(run, tmp_path, db_path, field, value, where):
    if field == "bed":
        from datetime import datetime, timedelta

        bed = datetime.fromisoformat(value)
        diary = {**DIARY, "bed": value, "final": (bed + timedelta(hours=7)).isoformat(),
                 "up": (bed + timedelta(hours=8)).isoformat()}
        night = _night(**diary)
    else:
        night = _night(doses=[{"taken_at": value, "form": "glycinate", "amount_mg": 100}])
    result = _import(run, tmp_path, night)
    assert result.exit_code == 2, result.output
    assert f"field {where}: " in result.stderr and "is not on the night of 2026-01-05" in result.stderr
    assert not db_path.exists()


@pytest.mark.parametrize("bed", ["2026-01-05T00:30:00+00:00", "2026-01-06T11:30:00+00:00", "2026-01-06T23:30:00+00:00"])
def test_a_diary_anywhere_on_its_night_for_some_rollover_is_accepted(run, tmp_path, exported, bed):
    from datetime import datetime, timedelta

    start = datetime.fromisoformat(bed)
    diary = {**DIARY, "bed": bed, "final": (start + timedelta(hours=7)).isoformat(),
             "up": (start + timedelta(hours=8)).isoformat()}
    assert _import(run, tmp_path, _night(**diary)).exit_code == 0
    assert [n["bed"] for n in exported()] == [bed]
