"""Records the tests set up or read back: tonight's stored total read through SQLite alone, and a
randomised trial plan with known orders."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from tests.support.app import TONIGHT, open_store

ORDERS = ["off-on", "on-off", "on-off", "off-on"]
"""The orders with_plan's plan draws, pair by pair."""


def read_back(path: Path, read, *args):
    """What `read(*args, session=...)` (a store query) gives on the file at `path`, opened for it alone."""
    store = open_store(path)
    try:
        with store.reading() as s:
            return read(*args, session=s)
    finally:
        store.close()


def stored_total(db: Path) -> float:
    """Tonight's total in mg as the file holds it (read-only, through SQLite alone)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)  # SQLite only: no Python open() of the file
    try:
        (total,) = conn.execute("SELECT coalesce(sum(d.elemental_mg), 0) FROM dose d JOIN night n "
                                "ON n.id = d.night_id WHERE n.date = ?", (TONIGHT.isoformat(),)).fetchone()
    finally:
        conn.close()
    return float(total)


def with_plan(path: Path, days_ago: int) -> Path:
    """A plan that started `days_ago` nights before tonight, with known orders."""
    from magsleep.domain.n_of_1 import make_plan
    from magsleep.store.trials import add_trial

    orders = iter(ORDERS)
    store = open_store(path)
    start = TONIGHT - timedelta(days=days_ago)
    with store.writing() as s:
        add_trial(make_plan(start, "2026-06-01T20:00:00+01:00", draw=lambda _: next(orders)), start, session=s)
    store.close()
    return path
