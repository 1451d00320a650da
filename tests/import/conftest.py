"""Imports from sleep trackers: the real `magsleep import` command on real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "trackers"


def nights(db_path: Path) -> dict[str, dict]:
    """Every stored night's columns, by date (read straight from the file)."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return {row["date"]: dict(row) for row in conn.execute("SELECT * FROM night ORDER BY date")}
    finally:
        conn.close()
