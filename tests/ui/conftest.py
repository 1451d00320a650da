"""UI fixtures: seeded and empty databases. The helpers live in tests/support/app.py; their names
stay importable from here for tests written before the move."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.app import (  # noqa: F401  (re-exported: the names tests imported from here)
    LAST_NIGHT,
    LONDON,
    NOW,
    SIZE,
    TONIGHT,
    app_for,
    clock,
    open_store,
    seed,
    settle,
    text_of,
)


@pytest.fixture
def seeded(db_path: Path) -> Path:
    return seed(db_path)


@pytest.fixture
def empty_db(db_path: Path) -> Path:
    return seed(db_path, nights=0)
