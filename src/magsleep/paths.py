"""Where magsleep keeps its data: the only module that asks platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "magsleep"
DB_ENV = "MAGSLEEP_DB"


def data_dir() -> Path:
    """magsleep's own data directory (not created here)."""
    return user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    """$MAGSLEEP_DB if set, else magsleep.db in the user data directory."""
    env = os.environ.get(DB_ENV)
    return Path(env).expanduser() if env else data_dir() / "magsleep.db"
