"""Shared fixtures: data paths redirected to tmp_path, real SQLite files, a fixed zone."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data directory and database path and a known time zone."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("MAGSLEEP_DB", str(tmp_path / "data" / "magsleep.db"))
    monkeypatch.setenv("TZ", "Europe/London")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "magsleep.db"


@pytest.fixture
def run(db_path: Path):
    """The real `magsleep` command group, in-process, on this test's database."""
    from click.testing import CliRunner

    from magsleep.cli import cli

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def store(db_path: Path):
    from magsleep.store.engine import Store

    opened = Store.open(db_path)
    yield opened
    opened.close()
