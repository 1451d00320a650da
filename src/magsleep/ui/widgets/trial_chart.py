"""The randomised trial's pairs as a plotext plot: each pair's magnesium and no-magnesium means.

Guarded like the trend chart (plotext fails on empty and flat series): with no pair that has a
mean yet, the plot says so instead of drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual_plotext import PlotextPlot

from magsleep.domain.n_of_1 import PairResult


class TrialChart(PlotextPlot):
    """● magnesium period mean, ○ no-magnesium period mean, for each pair (x: the pair number)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plotted: dict[str, list[float]] = {}
        """What the last replot drew, for tests."""

    def replot(self, pairs: Sequence[PairResult], label: str) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        on = [(float(p.pair), p.on_mean) for p in pairs if p.on_mean is not None]
        off = [(float(p.pair), p.off_mean) for p in pairs if p.off_mean is not None]
        self.plotted = {"on": [y for _, y in on], "off": [y for _, y in off]}
        if not on and not off:
            plt.title("No period has enough nights yet")
            plt.xticks([])
            plt.yticks([])
            self.refresh()
            return
        if off:
            plt.scatter([x for x, _ in off], [y for _, y in off], marker="○", color="gray")
        if on:
            plt.scatter([x for x, _ in on], [y for _, y in on], marker="●", color="cyan")
        ys = [y for _, y in on + off]
        low, high = min(ys), max(ys)
        pad = max((high - low) * 0.15, 1.0)
        plt.ylim(low - pad, high + pad)
        plt.xlim(0.5, len(pairs) + 0.5)
        plt.xticks([float(p.pair) for p in pairs], [f"pair {p.pair}" for p in pairs])
        plt.ylabel(label)
        self.refresh()
