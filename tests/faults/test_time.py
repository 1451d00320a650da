"""Time: moments around midnight and the rollover, DST nights, and a time zone that changes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from magsleep.cli import cli


def run(db, *args, tz="Europe/London"):
    result = CliRunner(env={"TZ": tz}).invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result


def nights(db):
    return {n["night"]: n for n in json.loads(run(db, "export").stdout)["nights"]}


@pytest.mark.parametrize("moment, night", [
    ("2026-06-10T23:59", "2026-06-10"), ("2026-06-11T00:00", "2026-06-10"), ("2026-06-11T00:01", "2026-06-10"),
    ("2026-06-11T11:59", "2026-06-10"), ("2026-06-11T12:00", "2026-06-11"),
])
def test_doses_around_midnight_and_the_rollover(db_path, moment, night):
    result = run(db_path, "dose", "100", "--at", moment)
    assert f"for the night of {night}" in result.stdout
    assert list(nights(db_path)) == [night]


def test_changing_the_rollover_moves_the_boundary(db_path):
    from magsleep.store.engine import Store
    from magsleep.store.settings import save_setting

    store = Store.open(db_path)
    with store.writing() as s:
        save_setting("rollover_hour", 4, session=s)
    store.close()
    assert "night of 2026-06-10" in run(db_path, "dose", "100", "--at", "2026-06-11T03:59").stdout
    assert "night of 2026-06-11" in run(db_path, "dose", "100", "--at", "2026-06-11T04:00").stdout
    assert "night of 2026-06-11" in run(db_path, "dose", "100", "--at", "2026-06-11T11:00").stdout


DIARY = ["--bed", "23:00", "--latency", "45", "--awakenings", "2", "--waso", "60", "--final", "06:30",
         "--up", "07:00", "--quality", "3"]


@pytest.mark.parametrize("night, tib, offsets", [
    ("2026-03-07", 420, ("-05:00", "-04:00")),  # spring forward in New York
    ("2026-10-31", 540, ("-04:00", "-05:00")),  # fall back
    ("2026-06-10", 480, ("-04:00", "-04:00")),
])
def test_daylight_saving_nights(db_path, night, tib, offsets):
    run(db_path, "sleep", "--night", night, *DIARY, tz="America/New_York")
    stored = nights(db_path)[night]
    assert stored["tib_min"] == tib and stored["tst_min"] == tib - 135
    assert stored["bed"].endswith(offsets[0]) and stored["up"].endswith(offsets[1])


def test_the_time_zone_changing_between_two_nights(db_path):
    run(db_path, "sleep", "--night", "2026-06-10", *DIARY, tz="Europe/London")
    run(db_path, "sleep", "--night", "2026-06-11", *DIARY, tz="America/New_York")
    run(db_path, "dose", "100", "--at", "2026-06-12T22:00", tz="Asia/Tokyo")
    stored = nights(db_path)
    assert stored["2026-06-10"]["bed"] == "2026-06-10T23:00:00+01:00"
    assert stored["2026-06-11"]["bed"] == "2026-06-11T23:00:00-04:00"
    assert stored["2026-06-10"]["tib_min"] == stored["2026-06-11"]["tib_min"] == 480
    assert stored["2026-06-12"]["doses"][0]["taken_at"] == "2026-06-12T22:00:00+09:00"


@pytest.mark.parametrize("tz", ["America/New_York", "Europe/London", "Pacific/Auckland"])
def test_a_moment_with_its_own_offset_lands_on_the_night_of_its_instant(db_path, tz):
    # 01:00 at +13:00 on the 11th is 12:00 UTC on the 10th: 08:00 (New York, night of the 9th),
    # 13:00 (London) or 00:00 on the 11th (Auckland), whatever its digits say.
    expected = {"America/New_York": ("2026-06-09", "2026-06-10T08:00:00-04:00"),
                "Europe/London": ("2026-06-10", "2026-06-10T13:00:00+01:00"),
                "Pacific/Auckland": ("2026-06-10", "2026-06-11T00:00:00+12:00")}[tz]
    result = run(db_path, "dose", "100", "--at", "2026-06-11T01:00+13:00", tz=tz)
    assert f"for the night of {expected[0]}" in result.stdout
    stored = CliRunner(env={"TZ": tz}).invoke(cli, ["--db", str(db_path), "export"]).stdout
    night = json.loads(stored)["nights"]
    assert [(n["night"], n["doses"][0]["taken_at"]) for n in night] == [expected]
