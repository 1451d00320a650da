"""One Screen per file, each a `magsleep.ui.base.MagsleepScreen`. They load on first use
(`screens.history.HistoryScreen()`, see `magsleep.lazy`): the first frame needs only the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magsleep.lazy import submodules

if TYPE_CHECKING:
    from magsleep.ui.screens import (  # noqa: F401
        confirm,
        dashboard,
        forms,
        help,
        history,
        import_preview,
        insights,
        morning_log,
        palette,
        settings,
        store_error,
        too_small,
        trial,
        welcome,
    )

__getattr__ = submodules(__name__)
