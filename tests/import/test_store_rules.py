"""What an import does to the database: never overwrites (unless --replace), "already there"
still exits 0, one bad record imports nothing, and an unknown part is never read as 0."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from tests.support.app import LONDON
from tests.support.trackers import plees_file

from .conftest import FIXTURES, nights


def test_a_night_logged_by_hand_is_already_there_and_kept_and_the_import_succeeds(run, tmp_path, db_path):
    assert run("sleep", "--night", "2024-06-01", "--bed", "22:00", "--latency", "10", "--final", "06:00",
               "--up", "06:30", "--quality", "4").exit_code == 0
    path = plees_file(tmp_path, [(1, datetime(2024, 6, 1, 23, 0, tzinfo=LONDON), 420, 2),
                                 (2, datetime(2024, 6, 2, 23, 0, tzinfo=LONDON), 420, 3)])
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "new: 1" in result.stdout and "already there: 1" in result.stdout
    kept = nights(db_path)["2024-06-01"]
    assert kept["bed"].startswith("2024-06-01T22:00") and kept["quality"] == 4 and kept["source"] is None


def test_replace_takes_what_the_tracker_knows_and_keeps_the_persons_other_answers(run, tmp_path, db_path):
    assert run("sleep", "--night", "2024-06-01", "--bed", "22:00", "--latency", "10", "--final", "06:00",
               "--up", "06:30", "--quality", "4", "--note", "hot night").exit_code == 0
    assert run("dose", "200", "--at", "2024-06-01T21:00").exit_code == 0
    path = plees_file(tmp_path, [(1, datetime(2024, 6, 1, 23, 0, tzinfo=LONDON), 420, 0)])
    result = run("import", str(path), "--replace")
    assert result.exit_code == 0 and "replaced: 1" in result.stdout, result.output
    row = nights(db_path)["2024-06-01"]
    assert row["bed"] == "2024-06-01T23:00:00+01:00" and row["final"] == "2024-06-02T06:00:00+01:00"
    assert row["latency_min"] == 10 and row["up"] == "2024-06-02T06:30:00+01:00"  # Plees does not know them
    assert (row["quality"], row["note"], row["source"]) == (4, "hot night", "plees")
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM dose").fetchone()[0] == 1
    again = run("import", str(path), "--replace")
    assert "replaced: 1" in again.stdout and len(nights(db_path)) == 1


def test_a_night_with_only_a_dose_gets_the_trackers_sleep(run, tmp_path, db_path):
    assert run("dose", "200", "--at", "2024-06-01T21:00").exit_code == 0
    path = plees_file(tmp_path, [(1, datetime(2024, 6, 1, 23, 0, tzinfo=LONDON), 420, 3)])
    result = run("import", str(path))
    assert "new: 1" in result.stdout
    assert nights(db_path)["2024-06-01"]["bed"] == "2024-06-01T23:00:00+01:00"


def test_one_bad_record_imports_nothing_and_a_dry_run_writes_nothing(run, tmp_path, db_path):
    good = plees_file(tmp_path, [(1, datetime(2024, 6, 1, 23, 0, tzinfo=LONDON), 420, 3)])
    text = good.read_text() + "2,1717279200000,1717279200000x,3\n"
    good.write_text(text)
    assert run("dose", "100", "--at", "2024-05-01T21:00").exit_code == 0  # a database exists
    result = run("import", str(good))
    assert result.exit_code == 2 and "line 3, field stop:" in result.stderr
    assert list(nights(db_path)) == ["2024-05-01"]
    good.write_text(text.rsplit("2,", 1)[0])
    dry = run("import", str(good), "--dry-run")
    assert dry.exit_code == 0 and "new: 1 (would be imported)" in dry.stdout
    assert list(nights(db_path)) == ["2024-05-01"]


def test_unknown_parts_are_never_read_as_zero_in_the_trend_history_or_verdict(run, tmp_path, db_path):
    """A Plees night knows no latency: it must not count as a 0-minute night anywhere."""
    from magsleep.store.engine import Store

    path = plees_file(tmp_path, [(i, datetime(2024, 6, 1 + i, 23, 0, tzinfo=LONDON), 420, 4) for i in range(10)])
    assert run("import", str(path)).exit_code == 0
    conn = sqlite3.connect(db_path)
    # Even with out of bed known (a later edit), an unknown latency keeps the diary incomplete.
    conn.execute("UPDATE night SET up = final")
    conn.commit()
    conn.close()
    store = Store.open(db_path)
    try:
        with store.reading() as session:
            from magsleep.store import nights as store_nights
            from magsleep.store import views
            points = views.trend_points(session=session)
            # each night counts for what it gives (its rating), never as a 0 for what it does not
            assert len(points) == 10 and all(p.quality == 4 for p in points)
            assert all(p.sol_min is None and p.tst_min is None and p.se_pct is None for p in points)
            assert all(h.metrics_source is None for h in views.history_nights(session=session))
            assert all(r.diary is None for r in store_nights.load_nights(session=session))
            assert store_nights.recent_diaries(datetime(2024, 7, 1).date(), session=session) == {}
    finally:
        store.close()


def test_importing_into_an_old_schema_upgrades_it_first(run, tmp_path, db_path):
    import shutil

    db_path.parent.mkdir(parents=True)
    shutil.copy(FIXTURES.parent / "schema_v2.db", db_path)
    result = run("import", str(FIXTURES / "fitbit"), "--tz", "Europe/London")
    assert result.exit_code == 0, result.output
    assert nights(db_path)["2024-03-28"]["source"] == "fitbit"


def test_an_imported_night_missing_answers_is_not_logged_for_the_status_line_reminder_or_adherence(
        run, tmp_path, db_path):
    """One rule for "logged" (store.tonight.COMPLETE_DIARY): a tracker's night still missing the
    answers only the person knows is not "last night logged" for the status line or the morning
    reminder; and a night brought in by an import with nothing done here that evening does not count
    against the checklist's adherence."""
    import json

    from magsleep import local_time
    from magsleep.domain.nights import last_night

    last = last_night(local_time.now())
    start = datetime(last.year, last.month, last.day, 23, 0, tzinfo=local_time.local_zone())
    path = plees_file(tmp_path, [(1, start, 420, 3)])
    assert run("import", str(path)).exit_code == 0
    assert run("remind", "morning").exit_code == 1
    assert json.loads(run("status", "--json").stdout)["last_night_logged"] is False
    adherence = json.loads(run("insights", "--json").stdout)["adherence"]
    assert all(item["nights"] == 0 for item in adherence.values())



def test_a_trackers_night_counts_for_each_metric_it_gives_and_only_those(run, db_path):
    """Issue 21: "the verdict uses a night for a metric only when that metric is known". A Fitbit
    night knows latency, minutes awake, the times, but not quality: it counts for efficiency,
    total sleep and time to fall asleep, and not for quality; the comparisons see it that way."""
    from magsleep.store.engine import Store

    assert run("import", str(FIXTURES / "fitbit"), "--tz", "Europe/London").exit_code == 0
    store = Store.open(db_path)
    try:
        with store.reading() as session:
            from magsleep.store import insights, views

            points = views.trend_points(session=session)
            assert points and all(p.quality is None for p in points)
            assert all(p.sol_min is not None and p.se_pct is not None and p.tst_min is not None for p in points)
            stored = nights(db_path)
            for p in points:
                row = stored[p.night.isoformat()]
                assert p.sol_min == row["latency_min"]
            found = insights.load_insights(points[-1].night, session=session)
            by = {(c.metric, c.kind): c for c in found.comparisons}
            assert by["quality", "on_off"].n_a + by["quality", "on_off"].n_b == 0  # no quality: not a 0
            assert by["se_pct", "on_off"].n_a + by["se_pct", "on_off"].n_b == len(points)
    finally:
        store.close()
