"""Storage: one SQLite file through SQLModel, with migrations, backups and query functions.

Query functions take `*, session` and return plain frozen dataclasses, never table rows that
outlive their session. The modules load on first use (`from magsleep import store`, then
`store.nights.save_diary(...)`): most of them import SQLAlchemy, which the first frame and the
status line must not wait for (see `magsleep.lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from magsleep.lazy import submodules

if TYPE_CHECKING:
    from magsleep.store import (  # noqa: F401
        blinding,
        demo,
        doses,
        engine,
        errors,
        files,
        health,
        insights,
        migrations,
        models,
        nights,
        records,
        reminders,
        report_data,
        routine,
        seed,
        settings,
        tonight,
        tracker_files,
        transfer,
        trials,
        views,
    )

__getattr__ = submodules(__name__)
