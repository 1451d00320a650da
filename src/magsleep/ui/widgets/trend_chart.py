"""The sleep-trend graph: a plotext plot with magnesium nights marked and a 7-night average.

plotext fails on empty, single-point and flat series, so those are guarded here: no nights
shows a friendly placeholder instead of a plot, and flat series get a y-range of their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from textual_plotext import PlotextPlot

from magsleep.domain.trend import (
    GRAPH_METRICS_BY_KEY,
    METRICS_BY_KEY,
    NightPoint,
    axis_ticks,
    rolling_mean,
    series,
    tick_label,
)


class TrendChart(PlotextPlot):
    """Nightly values (● on magnesium, ○ without) and the rolling 7-night mean."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.points: list[NightPoint] = []
        self.metric = "se_pct"
        self.plotted: dict[str, list[float]] = {}
        """What the last replot drew (x as day offsets), for tests."""

    def replot(self, points: Sequence[NightPoint], metric: str, today: date, since: date | None = None) -> None:
        """Plot the nights from `since` (all when None); a regularity value is worked out from
        every night before it too, so a short range shows the same figures as a long one."""
        points = list(points)
        valued = [(p, y) for p, y in series(points, metric) if since is None or p.night >= since]
        points = [p for p in points if since is None or p.night >= since]
        self.points = points
        self.metric = metric
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.plotted = {}
        if not valued:  # no axes, only what is missing
            plt.title("Regularity needs 7 nights logged within 14" if points
                      else "No nights logged yet: press l to log your sleep")
            plt.xticks([])
            plt.yticks([])
            self.refresh()
            return
        points = [p for p, _ in valued]
        xs = [float((p.night - today).days) for p in points]
        ys = [y for _, y in valued]
        on = [(x, y) for x, y, p in zip(xs, ys, points) if p.on_magnesium]
        off = [(x, y) for x, y, p in zip(xs, ys, points) if not p.on_magnesium]
        # The average first: what is drawn later covers it, and every night's marker must show.
        if len(points) > 1 and metric in METRICS_BY_KEY:  # a regularity value is a 14-night figure already
            plt.plot(xs, rolling_mean(ys), marker="braille", color="orange")
        if off:
            plt.scatter([x for x, _ in off], [y for _, y in off], marker="○", color="gray")
        if on:
            plt.scatter([x for x, _ in on], [y for _, y in on], marker="●", color="cyan")
        low, high = min(ys), max(ys)
        if high - low < 1e-9:
            pad = max(abs(high) * 0.1, 1.0)
            low, high = low - pad, high + pad
        pad = (high - low) * 0.08
        # Never beyond what is possible (time to fall asleep below 0, quality above 5).
        m = GRAPH_METRICS_BY_KEY[metric]
        bottom = max(low - pad, m.lowest / 60 if metric == "tst_min" else m.lowest)
        top = high + pad if m.highest is None else min(high + pad, m.highest)
        if m.whole:  # whole-number bounds, so the whole-number ticks frame the points
            bottom = max(math.floor(bottom), m.lowest)
            top = math.ceil(top) if m.highest is None else min(math.ceil(top), m.highest)
        plt.ylim(bottom, max(top, bottom + 1e-6))
        yticks = axis_ticks(bottom, max(top, bottom + 1e-6), whole=m.whole)
        plt.yticks(yticks, [tick_label(t) for t in yticks])
        left, right = min(xs), max(xs)
        if right - left < 1:
            left, right = left - 1, right + 1
        plt.xlim(left - 0.5, right + 0.5)
        # plotext de-duplicates ticks through a set and then drops labels that overlap, so the
        # survivors would change from run to run; few enough ticks never overlap.
        ticks = _day_ticks(left, right)
        plt.xticks(ticks, [_tick_label(t, today) for t in ticks])
        self.plotted = {"x": xs, "y": ys, "on": [x for x, _ in on], "off": [x for x, _ in off], "yticks": yticks}
        self.refresh()


def _day_ticks(left: float, right: float) -> list[float]:
    """At most three ticks, counted back from the newest night: they fit even at 80 columns."""
    span = right - left
    step = next((s for s in (1, 2, 3, 7, 14, 30, 60, 120, 182, 365, 730, 1825, 3650) if span / s < 3), 7300)
    first = int(right)
    ticks = [float(first - i * step) for i in range(int(span // step) + 1)]
    return sorted(t for t in ticks if t >= left)


def _tick_label(offset: float, today: date) -> str:
    day = today + timedelta(days=int(offset))
    return f"{day:%d %b}" if abs(offset) < 300 else f"{day:%b %Y}"
