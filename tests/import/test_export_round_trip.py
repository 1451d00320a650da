"""A tracker's nights go out in an export and come back whole: the parts it knew (a night whose
diary is not complete keeps its times), and where each came from, so the tracker's file can be
imported again without doubles."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from magsleep.cli import cli
from magsleep.domain.errors import InvalidInput
from magsleep.domain.import_file import ImportFailed, parse_file
from magsleep.store.engine import Store
from magsleep.store.nights import delete_night, restore_night
from tests.support.app import LONDON
from tests.support.trackers import plees_file

from .conftest import nights

COLUMNS = ("bed", "tried", "latency_min", "awakenings", "waso_min", "final", "up", "quality", "rested",
           "source", "source_id", "source_device", "note")


def magsleep(db, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_trackers_nights_come_back_whole_from_an_export(run, tmp_path, db_path, fmt):
    tracker = plees_file(tmp_path, [(1, datetime(2024, 6, 1, 23, 0, tzinfo=LONDON), 420, 2),
                                    (2, datetime(2024, 6, 2, 23, 30, tzinfo=LONDON), 400, 0)])
    assert run("import", str(tracker)).exit_code == 0
    assert run("sleep", "--night", "2024-06-03", "--bed", "22:00", "--latency", "10", "--final", "06:00",
               "--up", "06:30", "--quality", "4").exit_code == 0  # one logged here, complete
    exported = tmp_path / f"all.{fmt}"
    assert run("export", "--format", fmt, "-o", str(exported)).exit_code == 0
    other = tmp_path / "other" / "magsleep.db"
    result = magsleep(other, "import", str(exported))
    assert result.exit_code == 0, result.output
    before, after = nights(db_path), nights(other)
    assert before["2024-06-01"]["bed"] is not None and before["2024-06-01"]["quality"] is not None
    assert before["2024-06-02"]["quality"] is None  # Plees' 0: no rating, unknown
    for night in before:
        assert {c: after[night][c] for c in COLUMNS} == {c: before[night][c] for c in COLUMNS}, night
    exported_again = tmp_path / f"again.{fmt}"
    assert magsleep(other, "export", "--format", fmt, "-o", str(exported_again)).exit_code == 0
    assert exported_again.read_text() == exported.read_text()
    again = magsleep(other, "import", str(tracker))  # the tracker's own file: nothing twice
    assert again.exit_code == 0 and "already there: 2" in again.stdout, again.output


TRACKED = {"night": "2024-06-01", "bed": "2024-06-01T23:00:00+01:00", "tried": "2024-06-01T23:00:00+01:00",
           "final": "2024-06-02T06:00:00+01:00", "quality": 2, "source": "plees", "source_id": "1"}


def problems(**changes) -> list[str]:
    night = {k: v for k, v in {**TRACKED, **changes}.items() if v is not None}
    try:
        parse_file(json.dumps({"nights": [night]}), "json")
    except ImportFailed as err:
        return err.problems
    return []


def test_an_exported_tracker_night_is_checked_like_any_other():
    assert problems() == []
    assert problems(bed=None, tried=None, final=None, quality=None) == []  # a diary deleted: still from plees
    assert "nothing to derive it from" in problems(tib_min=420)[0]  # no rise time, no time in bed
    assert "give 410" in problems(latency_min=10, waso_min=0, tst_min=300)[0]  # 23:10 to 06:00
    for field, value, said in [
        ("source", "[b]evil[/b]", "must be one of"), ("source", 3, "must be one of"),
        ("source_id", 12, "must be text"), ("source_device", ["x"], "must be text"),
        ("latency_min", -5, "latency_min"), ("latency_min", "soon", "latency_min"), ("quality", 9, "quality"),
        ("awakenings", 1e9, "awakenings"), ("final", "06:00", "final"), ("up", "2031-01-01T07:00:00+00:00", "24 hours"),
        ("source", ["plees"], "must be one of"), ("source", {"a": 1}, "must be one of"),
        ("source", "json", "must be one of"),
        # What its tracker's record had to be on the way in: a start and an end, in order, counts that fit.
        ("up", "2024-06-01T21:00:00+01:00", "out of bed before"),
        ("tried", "2024-06-01T22:00:00+01:00", "before going to bed"),
        ("final", "2024-06-01T22:30:00+01:00", "ends before it starts"), ("waso_min", 1400, "do not fit"),
        ("final", "2024-06-03T01:00:00+01:00", "24 hours"), ("source_id", "x" * 501, "longer than 500"),
    ]:
        found = problems(**{field: value})
        assert found and said in found[0], (field, value, found)
    assert "source" in problems(source=None, source_id="1")[0]  # an id without its tracker
    assert "no start or no end" in problems(bed=None, tried=None, final=None, quality=None, rested=4)[0]
    # Without a tracker a night's diary must be complete, as before.
    assert "field up" in problems(source=None, source_id=None)[0]


def test_a_tracker_record_is_stored_once(run, tmp_path, db_path):
    tracker = plees_file(tmp_path, [(1, datetime(2024, 6, 1, 23, 0, tzinfo=LONDON), 420, 2)])
    assert run("import", str(tracker)).exit_code == 0
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps({"nights": [{**TRACKED, "night": "2024-06-05", "bed": "2024-06-05T23:00:00+01:00",
                                             "tried": None, "final": "2024-06-06T06:00:00+01:00"}]}))
    result = run("import", str(moved))
    assert result.exit_code != 0 and "already imported (the night of 2024-06-01)" in result.output, result.output
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps({"nights": [{**TRACKED, "night": f"2024-07-0{d}", "bed": f"2024-07-0{d}T23:00:00+01:00",
                                             "tried": None, "final": f"2024-07-0{d + 1}T06:00:00+01:00",
                                             "source_id": "9"} for d in (1, 2)]}))
    result = run("import", str(twice))
    assert result.exit_code != 0 and "already imported (line 1 of this file)" in result.output, result.output
    assert "2024-06-05" not in nights(db_path) and "2024-07-01" not in nights(db_path)  # nothing written


def test_a_trackers_own_text_is_kept_exactly():
    night = {**TRACKED, "source_id": " sp ", "source_device": "Jo's\tWatch"}
    [parsed] = parse_file(json.dumps({"nights": [night]}), "json").nights
    assert parsed.provenance is not None
    assert (parsed.provenance.source_id, parsed.provenance.device) == (" sp ", "Jo's\tWatch")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_nights_logged_here_export_as_before_without_the_trackers_fields(run, tmp_path, fmt):
    assert run("sleep", "--night", "2024-06-03", "--bed", "22:00", "--latency", "10", "--final", "06:00",
               "--up", "06:30", "--quality", "4").exit_code == 0
    out = tmp_path / f"here.{fmt}"
    assert run("export", "--format", fmt, "-o", str(out)).exit_code == 0
    assert "source" not in out.read_text()  # an older magsleep still imports it


def test_undoing_the_delete_of_a_trackers_night_brings_it_back_whole(run, tmp_path, db_path):
    tracker = plees_file(tmp_path, [(1, datetime(2024, 6, 1, 23, 0, tzinfo=LONDON), 420, 2),
                                    (2, datetime(2024, 6, 2, 23, 0, tzinfo=LONDON), 420, 3)])
    assert run("import", str(tracker)).exit_code == 0
    before = nights(db_path)
    store = Store.open(db_path)
    try:
        with store.writing() as session:
            deleted = [delete_night(datetime(2024, 6, d).date(), session=session) for d in (1, 2)]
        with store.writing() as session:
            restore_night(deleted[0], session=session)
        assert {c: nights(db_path)["2024-06-01"][c] for c in COLUMNS} == {c: before["2024-06-01"][c] for c in COLUMNS}
        moved = tmp_path / "moved.json"  # the second record imported again on another night meanwhile
        moved.write_text(json.dumps({"nights": [{**TRACKED, "night": "2024-06-09", "source_id": "2",
                                                 "bed": "2024-06-09T23:00:00+01:00", "tried": None,
                                                 "final": "2024-06-10T06:00:00+01:00"}]}))
        assert run("import", str(moved)).exit_code == 0
        with pytest.raises(InvalidInput, match="imported again"), store.writing() as session:
            restore_night(deleted[1], session=session)
    finally:
        store.close()
    assert "2024-06-02" not in nights(db_path)
