"""Tonight read on a bare sqlite3 connection (the dashboard's first look) matches the store's."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from magsleep.domain.demo import demo_nights
from magsleep.domain.magnesium import dose_amount
from magsleep.store import doses, routine, settings
from magsleep.store.demo import write_demo
from magsleep.store.engine import Store
from magsleep.store.tonight import peek_tonight
from magsleep.store.views import tonight_view

LON = ZoneInfo("Europe/London")
TONIGHT = date(2026, 11, 25)
EVENING = datetime(2026, 11, 25, 21, 30, tzinfo=LON)


def populated(path: Path) -> Path:
    store = Store.open(path)
    with store.writing() as s:
        write_demo(demo_nights(date(2026, 11, 24), 20, LON), session=s)
        doses.add_dose(TONIGHT, EVENING, dose_amount("citrate", 150), session=s)
        items = routine.list_items(session=s)
        routine.set_check(TONIGHT, items[1].id, True, session=s)
        routine.set_active(items[2].id, False, session=s)  # off the list, never ticked: hidden
        settings.save_setting("default_form", "citrate", session=s)
    store.close()
    return path


def test_the_first_look_shows_what_the_store_shows(tmp_path: Path):
    path = populated(tmp_path / "m.db")
    peeked = peek_tonight(path, EVENING)
    store = Store.open(path)
    with store.reading() as s:
        full = tonight_view(TONIGHT, session=s)
    store.close()
    assert peeked == full
    assert peeked.night == TONIGHT and peeked.settings.default_form == "citrate"
    assert [d.elemental_mg for d in peeked.doses] == [150]
    # One tick, and "Take magnesium" ticked by the dose itself.
    assert sum(c.done for c in peeked.checklist) == 2 and len(peeked.checklist) == 5
    assert 1 <= len(peeked.recent_totals) <= 7  # nights with a dose in the week before


def test_the_first_look_writes_nothing_and_declines_what_it_cannot_read(tmp_path: Path):
    assert peek_tonight(tmp_path / "missing.db", EVENING) is None
    assert not (tmp_path / "missing.db").exists()
    text = tmp_path / "notes.db"
    text.write_text("not a database")
    assert peek_tonight(text, EVENING) is None
    assert text.read_text() == "not a database"
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert peek_tonight(old, EVENING) is None  # schema version 0: the full open migrates it first
    assert peek_tonight(tmp_path, EVENING) is None  # a directory
