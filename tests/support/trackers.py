"""Tracker files written for a test."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def plees_file(tmp_path: Path, rows: list[tuple[int, datetime, int, int]]) -> Path:
    """A Plees Tracker export: each row's id, start, minutes asleep and rating (0: none)."""
    path = tmp_path / "plees.csv"
    path.write_text("sid,start,stop,rating\n" + "".join(
        f"{sid},{int(start.timestamp() * 1000)},{int(start.timestamp() * 1000) + minutes * 60_000},{rating}\n"
        for sid, start, minutes, rating in rows))
    return path
