"""The report's weekly trend: the headline outcome (and efficiency) by week, with magnesium and
without, each with the 95% interval of the week's mean where a week has two nights or more.

A week's interval treats its nights as independent (they are not quite): it shows the spread,
the comparisons' block bootstrap gives the honest interval for the difference.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from magsleep.domain.comparison import t_quantile
from magsleep.domain.nights import week_of
from magsleep.domain.trend import METRICS_BY_KEY, NightPoint, axis_ticks, tick_label
from magsleep.render.svg import Svg

WIDTH = 720
MIN_BAND_NIGHTS = 3
PANEL = 150
LEFT, RIGHT, TOP, GAP = 56, 16, 26, 36
STYLES: dict[bool, dict[str, str | None]] = {True: {"stroke": "#000", "stroke_dasharray": None, "band": "#000"},
          False: {"stroke": "#666", "stroke_dasharray": "5 3", "band": "#777"}}


@dataclass(frozen=True)
class WeekMean:
    """One week's nights on one side (with or without magnesium): mean and 95% interval."""

    week: date  # the Monday
    mean: float
    low: float | None
    high: float | None
    nights: int


def week_means(points: Sequence[NightPoint], metric: str, on: bool) -> list[WeekMean]:
    weeks: dict[date, list[float]] = {}
    for p in points:
        value = p.value(metric)  # in the axis's unit (total sleep in hours)
        if p.on_magnesium == on and value is not None:
            week = week_of(p.night)
            weeks.setdefault(week, []).append(value)
    out = []
    for week, values in sorted(weeks.items()):
        mean = statistics.fmean(values)
        # Two nights give a t interval 13 standard errors wide: from three a band says something.
        if len(values) >= MIN_BAND_NIGHTS:
            half = t_quantile(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
            out.append(WeekMean(week, mean, mean - half, mean + half, len(values)))
        else:
            out.append(WeekMean(week, mean, None, None, len(values)))
    return out


def week_chart(points: Sequence[NightPoint], metrics: Sequence[str]) -> str:
    """One panel per metric: a solid line with magnesium, a dashed one without, bands for intervals."""
    mondays = sorted({week_of(p.night) for p in points})
    # Every week from the first to the last is on the axis, so time runs evenly and gaps show.
    count = (mondays[-1] - mondays[0]).days // 7 + 1 if mondays else 0
    weeks = [mondays[0] + timedelta(weeks=i) for i in range(count)]
    position = {week: i for i, week in enumerate(weeks)}
    height = TOP + len(metrics) * (PANEL + GAP) + 10
    svg = Svg(WIDTH, height, "Weekly trend with and without magnesium")
    svg.add("line", x1=LEFT, y1=10, x2=LEFT + 22, y2=10, stroke="#000", stroke_width=2)
    svg.add("text", "nights with magnesium", x=LEFT + 26, y=13, font_size=9)
    svg.add("line", x1=LEFT + 160, y1=10, x2=LEFT + 182, y2=10, stroke="#666", stroke_width=2,
            stroke_dasharray="5 3")
    svg.add("text", "nights without", x=LEFT + 186, y=13, font_size=9)
    svg.add("text", "shaded: 95% interval of the week's mean", x=LEFT + 290, y=13, font_size=9, fill="#444")
    for i, metric in enumerate(metrics):
        _panel(svg, points, metric, weeks, position, TOP + i * (PANEL + GAP))
    return str(svg)


def _panel(svg: Svg, points: Sequence[NightPoint], metric: str, weeks: list[date], position: dict[date, int],
           top: float) -> None:
    m = METRICS_BY_KEY[metric]
    series = {on: week_means(points, metric, on) for on in (True, False)}
    values = [v for s in series.values() for w in s for v in (w.mean, w.low, w.high) if v is not None]
    unit = f" ({m.unit})" if m.unit else ""
    svg.add("text", f"{m.label}{unit}, mean by week", x=LEFT, y=top + 10, font_size=10, font_weight="bold")
    plot_top, plot_bottom = top + 18, top + PANEL
    if not values or not weeks:
        svg.add("text", "no nights with a diary in this period", x=LEFT, y=plot_top + 30, font_size=9)
        return
    low, high = _axis_range(values, m.lowest, m.highest)
    right = WIDTH - RIGHT

    def x(week: date) -> float:
        if len(weeks) == 1:
            return (LEFT + right) / 2
        return LEFT + (right - LEFT) * position[week] / (len(weeks) - 1)

    def y(value: float) -> float:
        return plot_bottom - (plot_bottom - plot_top) * (min(max(value, low), high) - low) / (high - low)

    for tick in axis_ticks(low, high, whole=m.whole):
        svg.add("line", x1=LEFT, y1=y(tick), x2=right, y2=y(tick), stroke="#ddd", stroke_width=0.5)
        svg.add("text", tick_label(tick), x=LEFT - 4, y=y(tick) + 3, font_size=8, text_anchor="end")
    svg.add("line", x1=LEFT, y1=plot_bottom, x2=right, y2=plot_bottom, stroke="#888", stroke_width=0.6)
    step = max(1, math.ceil(len(weeks) / 10))
    for week in weeks[::step]:
        svg.add("text", f"{week:%d %b}", x=x(week), y=plot_bottom + 12, font_size=8, text_anchor="middle")
    for on, means in series.items():
        for run in _runs(means, position):
            _draw_run(svg, run, on, x, y)


def _axis_range(values: list[float], lowest: float, highest: float | None) -> tuple[float, float]:
    """The value axis: the data's range within the metric's bounds; a flat series still gets one."""
    low, high = max(min(values), lowest), max(values)
    if highest is not None:
        high = min(high, highest)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    return low, high


def _draw_run(svg: Svg, run: list[WeekMean], on: bool, x: Callable[[date], float],
              y: Callable[[float], float]) -> None:
    """One unbroken run of weeks: its 95% band (where two or more weeks have one), line and points."""
    style = STYLES[on]
    side = "with" if on else "without"
    banded = [w for w in run if w.low is not None and w.high is not None]
    if len(banded) >= 2:
        edge = [f"{x(w.week):.1f},{y(w.high or 0):.1f}" for w in banded]
        edge += [f"{x(w.week):.1f},{y(w.low or 0):.1f}" for w in reversed(banded)]
        svg.add("polygon", class_=f"band {side}", points=" ".join(edge), fill=style["band"], fill_opacity=0.12)
    if len(run) >= 2:
        line = " ".join(f"{x(w.week):.1f},{y(w.mean):.1f}" for w in run)
        svg.add("polyline", class_=f"line {side}", points=line, fill="none", stroke=style["stroke"],
                stroke_width=1.6, stroke_dasharray=style["stroke_dasharray"])
    for w in run:
        if on:
            svg.add("circle", class_=f"point {side}", cx=x(w.week), cy=y(w.mean), r=2.5, fill="#000")
        else:
            svg.add("rect", class_=f"point {side}", x=x(w.week) - 2.5, y=y(w.mean) - 2.5, width=5, height=5,
                    fill="#fff", stroke="#666")


def _runs(means: list[WeekMean], position: dict[date, int]) -> list[list[WeekMean]]:
    """Consecutive weeks (no gap in `weeks`) as runs: a line never bridges a week without nights."""
    runs: list[list[WeekMean]] = []
    previous = -2
    for w in means:
        index = position[w.week]
        if index != previous + 1:
            runs.append([])
        runs[-1].append(w)
        previous = index
    return runs
