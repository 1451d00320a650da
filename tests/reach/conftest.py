"""Reach fixtures: the real command group in-process, and $XDG_CONFIG_HOME in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Timers are written here, never in the real user's config."""
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return config


@pytest.fixture
def opened(db_path: Path):
    """A database file that exists (as after the first `magsleep`)."""
    from magsleep.store.engine import Store

    Store.open(db_path).close()
    return db_path
