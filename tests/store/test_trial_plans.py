"""Trial plans in the file: at most one open plan (the schema holds it), an older file's extra
open plans closed by the upgrade, and the "Take magnesium" item set again when a plan starts or
stops on a night that already has a dose."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from magsleep.domain.magnesium import dose_amount
from magsleep.domain.n_of_1 import make_plan
from magsleep.domain.routine import TAKE_MAGNESIUM
from magsleep.store import migrations
from magsleep.store.doses import add_dose
from magsleep.store.engine import Store
from magsleep.store.trials import add_trial, stop_trial

FIXTURES = Path(__file__).parent.parent / "fixtures"
NIGHT = date(2026, 11, 24)
LONDON = ZoneInfo("Europe/London")


def open_rows(path: Path) -> list[tuple[int, str | None]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, stopped_at FROM trial WHERE stopped_at IS NULL").fetchall()
    finally:
        conn.close()


def test_the_schema_holds_at_most_one_open_plan(store, db_path):
    with store.writing() as s:
        add_trial(make_plan(NIGHT, "2026-11-24T20:00:00+00:00"), NIGHT, session=s)
    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT start, baseline_nights, period_nights, pairs, washout_nights, outcome, orders, "
                       "created_at, fingerprint FROM trial").fetchone()
    with pytest.raises(sqlite3.IntegrityError, match="trial_one_open"):
        conn.execute("INSERT INTO trial (start, baseline_nights, period_nights, pairs, washout_nights, outcome, "
                     "orders, created_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
    conn.execute("INSERT INTO trial (start, baseline_nights, period_nights, pairs, washout_nights, outcome, "
                 "orders, created_at, fingerprint, stopped_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'x')", row)
    conn.close()


def test_an_older_file_with_two_open_plans_keeps_the_newest_open(tmp_path):
    path = tmp_path / "v2.db"
    shutil.copy(FIXTURES / "schema_v2.db", path)
    conn = sqlite3.connect(path)
    with conn:  # as an import once could leave it: a second open plan
        conn.execute("INSERT INTO trial (start, baseline_nights, period_nights, pairs, washout_nights, outcome, "
                     "orders, created_at, fingerprint) SELECT start, baseline_nights, period_nights, pairs, "
                     "washout_nights, outcome, orders, created_at, fingerprint FROM trial WHERE stopped_at IS NULL")
        newest = conn.execute("SELECT max(id) FROM trial").fetchone()[0]
    conn.close()
    assert len(open_rows(path)) == 2
    Store.open(path).close()
    assert [row_id for row_id, _ in open_rows(path)] == [newest]
    conn = sqlite3.connect(path)
    closed = conn.execute("SELECT stopped_at FROM trial WHERE id = ?", (newest - 1,)).fetchone()[0]
    assert datetime.fromisoformat(closed).utcoffset() is not None  # an export of it imports again
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.CURRENT_VERSION
    assert conn.execute("SELECT count(*) FROM trial").fetchone()[0] == 3  # nothing deleted
    conn.close()


def magnesium_ticked(path: Path, night: date) -> bool:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT c.done FROM routine_check c JOIN night n ON n.id = c.night_id JOIN routine_item i "
                           "ON i.id = c.item_id WHERE n.date = ? AND i.label = ?",
                           (night.isoformat(), TAKE_MAGNESIUM)).fetchone()
        return bool(row and row[0])
    finally:
        conn.close()


def test_a_plan_started_after_tonights_dose_does_not_tick_no_magnesium_tonight(store, db_path):
    with store.writing() as s:
        add_dose(NIGHT, datetime(2026, 11, 24, 21, 0, tzinfo=LONDON), dose_amount("glycinate", 100), session=s)
    assert magnesium_ticked(db_path, NIGHT)  # the dose is the proof
    with store.writing() as s:  # tonight is then the plan's first no-magnesium night
        add_trial(make_plan(NIGHT, "2026-11-24T21:30:00+00:00", baseline=0, draw=lambda _: "off-on"), NIGHT,
                  session=s)
    assert not magnesium_ticked(db_path, NIGHT)  # "No magnesium tonight" was not kept
    with store.writing() as s:  # stopped the same night: the item means "Take magnesium" again
        stop_trial("2026-11-24T22:00:00+00:00", NIGHT, session=s)
    assert magnesium_ticked(db_path, NIGHT)


def test_a_plan_whose_first_night_takes_magnesium_keeps_the_tick(store, db_path):
    with store.writing() as s:
        add_dose(NIGHT, datetime(2026, 11, 24, 21, 0, tzinfo=LONDON), dose_amount("glycinate", 100), session=s)
        add_trial(make_plan(NIGHT, "2026-11-24T21:30:00+00:00", baseline=0, draw=lambda _: "on-off"), NIGHT,
                  session=s)
    assert magnesium_ticked(db_path, NIGHT)
