"""Fitbit (Takeout JSON files, a folder or a zip) and Apple Health (export.xml or export.zip,
streamed): mappings, unknowns, overlapping sources, and nights across a DST change."""

from __future__ import annotations

import json
import shutil
import zipfile

from .conftest import FIXTURES, nights


def test_fitbit_folder_maps_each_field_and_skips_the_nap(run, db_path):
    result = run("import", str(FIXTURES / "fitbit"), "--tz", "Europe/London")
    assert result.exit_code == 0, result.output
    assert "Fitbit: 3 nights found" in result.stdout and "skipped: 1 (1 nap)" in result.stdout
    stored = nights(db_path)
    classic = stored["2024-03-28"]
    assert classic["bed"] == classic["tried"] == "2024-03-28T22:45:00+00:00"
    assert classic["latency_min"] == 0  # Fitbit's 0 minutes to fall asleep is a real 0
    assert (classic["awakenings"], classic["waso_min"]) == (3, 25)  # a classic log's awake.count
    assert classic["final"] == "2024-03-29T06:40:00+00:00" and classic["up"] == "2024-03-29T06:45:00+00:00"
    assert classic["quality"] is None  # Fitbit has no rating: the morning log asks
    assert (classic["source"], classic["source_id"]) == ("fitbit", "40000")


def test_fitbit_stages_night_across_the_spring_forward_change_is_as_long_as_it_was_lived(run, db_path):
    assert run("import", str(FIXTURES / "fitbit"), "--tz", "Europe/London").exit_code == 0
    dst = nights(db_path)["2024-03-30"]
    assert dst["bed"] == "2024-03-30T23:10:00+00:00" and dst["up"] == "2024-03-31T07:40:00+01:00"
    assert dst["final"] == "2024-03-31T07:32:00+01:00"
    assert (dst["latency_min"], dst["awakenings"], dst["waso_min"]) == (12, 5, 40)  # the stages' wake.count


def test_fitbit_in_a_zip_and_a_later_export_adds_only_the_new_nights(run, tmp_path, db_path):
    march = tmp_path / "march.zip"
    with zipfile.ZipFile(march, "w") as z:
        z.write(FIXTURES / "fitbit" / "sleep-2024-03-01.json", "Takeout/Fitbit/Sleep/sleep-2024-03-01.json")
        z.writestr("Takeout/Fitbit/Other/steps-2024-03-01.json", '[{"dateTime": "03/01/24 00:00:00", "value": "0"}]')
    assert "new: 2" in run("import", str(march), "--tz", "Europe/London").stdout
    later = tmp_path / "later"
    shutil.copytree(FIXTURES / "fitbit", later / "Sleep")
    result = run("import", str(later), "--tz", "Europe/London")
    assert "new: 1" in result.stdout and "already there: 2" in result.stdout
    assert sorted(nights(db_path)) == ["2024-03-28", "2024-03-30", "2024-04-01"]


def test_a_malformed_fitbit_log_is_named_by_file_and_log_id_and_nothing_is_imported(run, tmp_path, db_path):
    logs = json.loads((FIXTURES / "fitbit" / "sleep-2024-03-01.json").read_text())
    logs[2]["minutesToFallAsleep"] = -3
    (tmp_path / "sleep-2024-03-01.json").write_text(json.dumps(logs))
    result = run("import", str(tmp_path / "sleep-2024-03-01.json"), "--tz", "Europe/London")
    assert result.exit_code == 2
    assert "sleep-2024-03-01.json log 40002, field minutesToFallAsleep: must be whole minutes" in result.stderr
    assert not db_path.exists() or nights(db_path) == {}


def test_apple_health_picks_the_source_with_most_sleep_per_night_and_names_it(run, db_path):
    result = run("import", str(FIXTURES / "apple-health" / "export.xml"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Apple Health · Apple Watch: 2" in result.stdout and "Apple Health · Jo’s iPhone: 1" in result.stdout
    assert "1 night recorded by more than one source" in result.stdout  # iPhone, watch and AutoSleep on the 9th
    assert "skipped: 1 (1 too short, under 3 hours)" in result.stdout  # the afternoon nap
    assert not db_path.exists()  # a dry run against no database creates nothing


def test_apple_health_mapping_unknowns_and_the_dst_night(run, db_path):
    assert run("import", str(FIXTURES / "apple-health" / "export.xml")).exit_code == 0
    stored = nights(db_path)
    watch = stored["2024-03-09"]  # the watch has no InBed: bed is its first sample, latency and up unknown
    assert watch["source_device"] == "Apple Watch" and watch["bed"] == "2024-03-09T22:50:00+00:00"
    assert watch["latency_min"] is None and watch["up"] is None
    assert (watch["awakenings"], watch["waso_min"]) == (1, 10)  # the awake spell after the final one is not counted
    legacy = stored["2024-03-10"]  # the old Asleep value alone: awakenings unknown, not 0
    assert legacy["source_device"] == "Jo’s iPhone" and legacy["latency_min"] == 30
    assert legacy["awakenings"] is None and legacy["waso_min"] is None and legacy["up"] == "2024-03-11T07:00:00+00:00"
    dst = stored["2024-03-30"]
    assert (dst["bed"], dst["up"]) == ("2024-03-30T23:00:00+00:00", "2024-03-31T08:00:00+01:00")
    assert (dst["latency_min"], dst["awakenings"], dst["waso_min"]) == (20, 1, 10)


def test_apple_health_from_its_zip_is_read_as_a_stream_and_a_bad_record_names_its_line(run, tmp_path, db_path):
    text = (FIXTURES / "apple-health" / "export.xml").read_text(encoding="utf-8")
    bad = text.replace('startDate="2024-03-10 01:10:00 +0000"', 'startDate="10/03/2024 01:10"')
    line = next(i for i, row in enumerate(bad.split("\n"), 1) if "10/03/2024" in row)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("apple_health_export/export.xml", bad)
        z.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
    result = run("import", str(archive))
    assert result.exit_code == 2
    assert f"line {line}, field startDate: '10/03/2024 01:10' is not a time" in result.stderr
    assert not db_path.exists() or nights(db_path) == {}


def test_a_broken_xml_file_is_refused_with_its_line(run, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0"?>\n<HealthData>\n <Record type="x"\n')
    result = run("import", str(path))
    assert result.exit_code == 2 and "line 3, column 2: not valid XML (unclosed token)" in result.stderr
