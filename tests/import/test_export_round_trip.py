"""A tracker's nights go out in an export and come back whole: the parts it knew (a night whose
diary is not complete keeps its times), and where each came from, so the tracker's file can be
imported again without doubles."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from magsleep.cli import cli
from magsleep.domain.import_file import ImportFailed, parse_file
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
        ("awakenings", 1e9, "awakenings"), ("final", "06:00", "final"), ("up", "2031-01-01T07:00:00+00:00", "up"),
    ]:
        found = problems(**{field: value})
        assert found and said in found[0], (field, value, found)
    assert "source" in problems(source=None, source_id="1")[0]  # an id without its tracker
    # Without a tracker a night's diary must be complete, as before.
    assert "field up" in problems(source=None, source_id=None)[0]


def test_a_tracker_record_is_stored_once(run, tmp_path, db_path):
    tracker = plees_file(tmp_path, [(1, datetime(2024, 6, 1, 23, 0, tzinfo=LONDON), 420, 2)])
    assert run("import", str(tracker)).exit_code == 0
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps({"nights": [{**TRACKED, "night": "2024-06-05", "bed": "2024-06-05T23:00:00+01:00",
                                             "tried": None, "final": None}]}))
    result = run("import", str(moved))
    assert result.exit_code != 0 and "already imported (the night of 2024-06-01)" in result.output, result.output
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps({"nights": [{**TRACKED, "night": f"2024-07-0{d}", "bed": f"2024-07-0{d}T23:00:00+01:00",
                                             "tried": None, "final": None, "source_id": "9"} for d in (1, 2)]}))
    result = run("import", str(twice))
    assert result.exit_code != 0 and "already imported (line 1 of this file)" in result.output, result.output
    assert "2024-06-05" not in nights(db_path) and "2024-07-01" not in nights(db_path)  # nothing written
