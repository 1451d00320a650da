"""Sleepmeter: the mapping, unknowns, magnesium shown but not dosed, line numbers, and a
hypothesis round trip of its unescaped quoting."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magsleep.domain.import_file import ImportFailed
from magsleep.domain.trackers import sleepmeter

from .conftest import nights

HEADER = "wake,sleep,bedtime,holes,type,dreams,aid,hindrances,tags,quality,notes"
CUSTOM = ('custom_aid_id,class,name\nCUSTOM_0001,HERBAL,"Magnesium "glycinate",\nfrom the shop"\n'
          'CUSTOM_0002,DRUG,"x"\n\n')


def record(wake: str, sleep: str, bed: str, holes: str = "", kind: str = "NIGHT_SLEEP", aid: str = "NONE",
           quality: str = "6", notes: str = "") -> str:
    return f'"{wake}","{sleep}","{bed}",{holes},{kind},NONE,{aid},NONE,NONE,{quality},"{notes}"'


def parse(text: str):
    return sleepmeter.parse(text, latest=date(2026, 11, 30), rollover_hour=12)


def test_bedtime_is_in_bed_and_tried_sleep_the_onset_holes_the_awakenings_and_no_out_of_bed():
    text = "\n".join([HEADER, record("2024-05-02 06:50+0200", "2024-05-01 23:20+0200", "2024-05-01 23:05+0200",
                                     holes="60-75|200-205", quality="8")]) + "\n"
    [n] = parse(text).nights
    assert n.night == date(2024, 5, 1)
    assert n.bed == n.tried == datetime(2024, 5, 1, 23, 5, tzinfo=timezone(timedelta(hours=2)))
    assert (n.latency_min, n.awakenings, n.waso_min) == (15, 2, 20)
    assert n.final == datetime(2024, 5, 2, 6, 50, tzinfo=timezone(timedelta(hours=2)))
    assert n.up is None  # Sleepmeter has no out-of-bed time: unknown, not the wake time
    assert n.quality == 4  # 8 of 0-10 onto 1-5
    assert n.missing == ("up",)
    tib, tst, se = n.known_minutes()
    assert (tib, tst, se) == (None, 450 - 20, None)  # sleep is known; time in bed and efficiency are not


def test_naps_and_short_sleeps_are_counted_not_imported():
    text = "\n".join([HEADER,
                      record("2024-05-02 06:50+0000", "2024-05-01 23:20+0000", "2024-05-01 23:05+0000"),
                      record("2024-05-02 15:00+0000", "2024-05-02 14:00+0000", "2024-05-02 13:55+0000", kind="NAP"),
                      record("2024-05-03 01:00+0000", "2024-05-02 23:00+0000", "2024-05-02 22:55+0000")]) + "\n"
    found = parse(text)
    assert [n.night for n in found.nights] == [date(2024, 5, 1)]
    assert (found.naps, found.too_short) == (1, 1)


def test_a_custom_aid_naming_magnesium_is_shown_in_the_preview_but_logs_no_dose(run, tmp_path, db_path):
    path = tmp_path / "sleep_history.csv"
    path.write_text(CUSTOM + HEADER + "\n" + record("2024-05-02 06:50+0000", "2024-05-01 23:20+0000",
                                                    "2024-05-01 23:05+0000", aid="CUSTOM_0001") + "\n")
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "magnesium tagged on 1 night: shown only, no dose is logged" in result.stdout
    import sqlite3
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM dose").fetchone()[0] == 0


@pytest.mark.parametrize(("cells", "field"), [
    (("2024-05-02 6:50", "2024-05-01 23:20+0000", "2024-05-01 23:05+0000", "", "NIGHT_SLEEP", "6"), "wake"),
    (("2024-05-02 06:50+0000", "2024-05-01 23:20+0000", "2024-05-01 23:05+0000", "75-60", "NIGHT_SLEEP", "6"),
     "holes"),
    (("2024-05-02 06:50+0000", "2024-05-01 23:20+0000", "2024-05-01 23:05+0000", "", "SIESTA", "6"), "type"),
    (("2024-05-02 06:50+0000", "2024-05-01 23:20+0000", "2024-05-01 23:05+0000", "", "NIGHT_SLEEP", "11"), "quality"),
    (("2024-05-02 06:50+0000", "2024-05-01 23:20+0000", "2024-05-01 23:35+0000", "", "NIGHT_SLEEP", "6"), "latency"),
    (("2024-05-01 22:50+0000", "2024-05-01 23:20+0000", "2024-05-01 23:05+0000", "", "NIGHT_SLEEP", "6"), "final"),
])
def test_a_malformed_row_of_each_kind_names_its_line_after_a_multiline_note_and_nothing_is_imported(
        run, tmp_path, db_path, cells, field):
    good = record("2024-04-02 06:50+0000", "2024-04-01 23:20+0000", "2024-04-01 23:05+0000",
                  notes='a note, "quoted",\nover two lines')
    wake, sleep, bed, holes, kind, quality = cells
    bad = record(wake, sleep, bed, holes=holes, kind=kind, quality=quality)
    path = tmp_path / "sleep_history.csv"
    text = CUSTOM + HEADER + "\n" + good + "\n" + bad + "\n"
    path.write_text(text)
    # a custom name over two lines, a blank, the header, a note over two lines: the bad record is on line 9
    assert text.split("\n")[8] == bad
    result = run("import", str(path))
    assert result.exit_code == 2
    assert f"line 9, field {field}:" in result.stderr, result.stderr
    assert not db_path.exists() or nights(db_path) == {}


def write_sleepmeter(rows: list[tuple[datetime, datetime, datetime, str]], customs: list[str]) -> str:
    """Sleepmeter's own dialect: quoted, never escaped."""
    out = []
    if customs:
        out.append("custom_aid_id,class,name")
        out += [f'CUSTOM_{i + 1:04d},HERBAL,"{name}"' for i, name in enumerate(customs)]
        out.append("")
    out.append(HEADER)
    for wake, sleep, bed, note in rows:
        out.append(record(f"{wake:%Y-%m-%d %H:%M%z}", f"{sleep:%Y-%m-%d %H:%M%z}", f"{bed:%Y-%m-%d %H:%M%z}",
                          aid="|".join(f"CUSTOM_{i + 1:04d}" for i in range(len(customs))) or "NONE", notes=note))
    return "\n".join(out) + "\n"


# Text a person could type: anything but a line that itself looks like the start of a record or a
# header (the one thing Sleepmeter's unescaped dialect cannot tell apart), and no control characters.
notes = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\r")
                | st.sampled_from(['"', ",", "\n", "'"]), max_size=40).map(str.strip).filter(
    lambda t: not sleepmeter._RECORD.search(t) and not sleepmeter._HEADER_LINE.search(t))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 600), st.integers(0, 90), st.integers(180, 660), notes),
                min_size=1, max_size=5), st.lists(notes.filter(lambda t: "\n" not in t), max_size=3))
def test_round_trip_of_sleepmeters_unescaped_dialect(rows, customs):
    tz = timezone(timedelta(hours=1))
    written, expected = [], []
    for day, (offset, latency, length, note) in enumerate(rows):
        bed = datetime(2024, 1, 1, 21, 0, tzinfo=tz) + timedelta(days=day, minutes=offset % 180)
        sleep = bed + timedelta(minutes=latency)
        written.append((sleep + timedelta(minutes=length), sleep, bed, note))
        expected.append((bed, latency, length, note or None))
    try:
        found = parse(write_sleepmeter(written, customs))
    except ImportFailed as err:  # pragma: no cover - shows the example
        raise AssertionError(err.problems) from None
    got = [(n.bed, n.latency_min, (n.final - n.tried).total_seconds() / 60 - n.latency_min, n.note)
           for n in found.nights]
    assert got == [(b, lat, float(length), note) for b, lat, length, note in expected]
