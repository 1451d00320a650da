"""Documents made from the data: the report as Markdown or a printable HTML page, with its charts
(the sleep diary and the weekly trend) drawn as SVG by our own small writer (`render.svg`).

Above the store (it reads through it) and beside the UI and the command line, which both call it;
the store only reads and writes. Its modules load on first use (`render.report`, see
`magsleep.lazy`), since they bring the store's SQLAlchemy with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from magsleep.lazy import submodules

if TYPE_CHECKING:
    from magsleep.render import report  # noqa: F401

__getattr__ = submodules(__name__)
