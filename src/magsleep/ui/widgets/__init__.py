"""Widgets used by the screens. They load on first use (`widgets.trend_chart.TrendChart`, see
`magsleep.lazy`): the charts bring plotext, which the first frame does without."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magsleep.lazy import submodules

if TYPE_CHECKING:
    from magsleep.ui.widgets import (  # noqa: F401
        checklist,
        dose_form,
        dose_list,
        keys_footer,
        limit_bar,
        night_table,
        symptom_picker,
        trend_chart,
        trial_chart,
    )

__getattr__ = submodules(__name__)
