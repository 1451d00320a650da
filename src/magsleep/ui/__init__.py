"""The Textual app: screens, widgets and one stylesheet. Its modules load on first use
(`ui.app.make_app`, see `magsleep.lazy`): the command line imports this package, and
`magsleep dose` never loads Textual."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magsleep.lazy import submodules

if TYPE_CHECKING:
    from magsleep.ui import (  # noqa: F401
        app,
        history_rows,
        messages,
        safe_text,
        screens,
        widgets,
    )

__getattr__ = submodules(__name__)
