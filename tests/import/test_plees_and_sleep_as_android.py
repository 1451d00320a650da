"""Plees Tracker (epoch ms, no zone: --tz) and Sleep as Android (Id + Hours + Tz, zip or csv)."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from magsleep.domain.trackers import plees, sleep_as_android

from .conftest import FIXTURES, nights

LONDON = ZoneInfo("Europe/London")


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_plees_start_and_stop_in_the_given_zone_with_no_latency_and_no_minutes_awake(run, tmp_path, db_path):
    start = datetime(2024, 6, 1, 23, 15, tzinfo=ZoneInfo("America/New_York"))
    stop = datetime(2024, 6, 2, 6, 45, tzinfo=ZoneInfo("America/New_York"))
    path = tmp_path / "plees.csv"
    path.write_text(f"sid,start,stop,rating,comment,wakes\n7,{ms(start)},{ms(stop)},4,took magnesium,2\n")
    result = run("import", str(path), "--tz", "America/New_York")
    assert result.exit_code == 0, result.output
    row = nights(db_path)["2024-06-01"]
    assert row["bed"] == row["tried"] == "2024-06-01T23:15:00-04:00"
    assert row["final"] == "2024-06-02T06:45:00-04:00"
    assert row["latency_min"] is None and row["waso_min"] is None and row["up"] is None  # unknown, never 0
    assert (row["awakenings"], row["quality"]) == (2, 4)
    assert (row["source"], row["source_id"]) == ("plees", "7")
    assert "magnesium tagged on 1 night" in result.stdout


def test_plees_rating_0_is_not_rated_and_a_bad_time_names_its_line(run, tmp_path, db_path):
    start = datetime(2024, 6, 1, 23, 0, tzinfo=LONDON)
    good = f"1,{ms(start)},{ms(start) + 8 * 3600_000},0"
    path = tmp_path / "plees.csv"
    path.write_text(f"sid,start,stop,rating\n{good}\n2,yesterday,{ms(start)},3\n")
    result = run("import", str(path))
    assert result.exit_code == 2
    assert "line 3, field start: 'yesterday' is not a time in epoch milliseconds" in result.stderr
    path.write_text(f"sid,start,stop,rating\n{good}\n")
    assert run("import", str(path)).exit_code == 0
    assert nights(db_path)["2024-06-01"]["quality"] is None


def test_a_bad_tz_is_refused_in_one_line(run, tmp_path):
    path = tmp_path / "plees.csv"
    path.write_text("sid,start,stop,rating\n")
    result = run("import", str(path), "--tz", "Mars/Olympus")
    assert result.exit_code == 2
    assert result.stderr.strip() == "magsleep: --tz: 'Mars/Olympus' is not a time zone; use a name like Europe/London"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2_000_000), st.integers(180, 700), st.integers(0, 5),
                          st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)),
                min_size=1, max_size=6, unique_by=lambda r: r[0] // 1440))
def test_plees_round_trip(rows):
    import csv
    import io
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sid", "start", "stop", "rating", "comment", "wakes"])
    base = datetime(2021, 1, 1, 22, 0, tzinfo=UTC)
    written = []
    for sid, (minute, length, rating, comment) in enumerate(rows):
        start = datetime.fromtimestamp(base.timestamp() + (minute // 1440) * 86400, UTC)
        writer.writerow([sid, ms(start), ms(start) + length * 60_000, rating, comment, ""])
        written.append((str(sid), start, length, rating or None, comment.strip() or None))
    found = plees.parse(out.getvalue(), tz=UTC, latest=date(2040, 1, 1), rollover_hour=12)
    got = [(n.source_id, n.bed, round((n.final - n.bed).total_seconds() / 60), n.quality, n.note)
           for n in found.nights]
    assert got == sorted(written, key=lambda w: w[1])


def test_sleep_as_android_uses_id_hours_and_tz_across_the_autumn_dst_change():
    # 26 Oct 2024 22:30 BST; 9.5 hours later the clocks have gone back: 07:00 GMT, not 08:00.
    start = datetime(2024, 10, 26, 22, 30, tzinfo=LONDON)
    header = "Id,Tz,From,To,Sched,Hours,Rating,Comment,Framerate,Snore,Noise,Cycles,DeepSleep,LenAdjust,Geo"
    text = (f'{header}\n"{ms(start)}","Europe/London","26. 10. 2024 22:30","27. 10. 2024 7:00",'
            f'"27. 10. 2024 7:00","9.500","3.75","#magnesium \\n slept well","10007","-1","-1.0","-1","-1.0",'
            '"-12",""\n')
    [n] = sleep_as_android.parse(text, latest=date(2026, 1, 1), rollover_hour=12).nights
    assert n.night == date(2024, 10, 26)
    assert n.final == datetime(2024, 10, 27, 7, 0, tzinfo=LONDON) and n.final.utcoffset().total_seconds() == 0
    assert (n.latency_min, n.waso_min, n.awakenings, n.up) == (None, None, None, None)  # LenAdjust mixes them
    assert n.quality == 4 and n.magnesium and n.note == "#magnesium\nslept well"


def test_sleep_as_android_from_its_zip_and_a_second_import_adds_nothing(run, db_path):
    sample = FIXTURES / "sleep-as-android" / "sleep-export.1606907034.zip"
    first = run("import", str(sample))
    assert first.exit_code == 0 and "new: 3" in first.stdout
    again = run("import", str(sample))
    assert again.exit_code == 0 and "new: 0" in again.stdout and "already there: 3" in again.stdout
    assert len(nights(db_path)) == 3


def test_a_bad_zone_in_a_sleep_as_android_record_names_its_line(run, tmp_path, db_path):
    sample = FIXTURES / "sleep-as-android" / "sleep-export.2.zip"
    text = zipfile.ZipFile(sample).read("sleep-export.csv").decode().replace('"Europe/London"', '"Europe/Atlantis"', 1)
    path = tmp_path / "sleep-export.csv"
    path.write_text(text)
    result = run("import", str(path))
    assert result.exit_code == 2
    assert "line 2 (record " in result.stderr and "field Tz: 'Europe/Atlantis' is not a time zone" in result.stderr
