"""The headline: what magsleep says about magnesium's effect on one primary outcome.

During a randomised trial the trial speaks (`n_of_1`). Outside one, the diary's raw on/off and
before/after comparisons still describe the nights, but they cannot credit magnesium for what
time did: when every magnesium night comes after every other night, a slow drift (a new routine,
the season, regression to the mean after starting in a bad patch) looks exactly like an effect.

So the diary's headline compares magnesium nights only with nights *near them in time*: the
nights are cut into 14-night windows, and a window counts when it holds at least 3 nights with
and 3 without a dose (and a diary). Each window gives the difference of its two means; drift
moves both sides of a window together, so it mostly cancels. The estimate is the mean of the
window differences and the 95% interval is Student's t on (windows - 1) degrees of freedom over
their spread. With fewer than 4 such windows the diary cannot tell magnesium from time, and the
headline says so and offers the trial. Checked by simulation in tests/domain/test_headline.py
(AR(1) noise, drift up to 0.3 min a night, a bad patch that fades): without an effect it calls
"better"/"worse" in at most 7% of diaries; with nights on and off interleaved it finds a real
effect.

Inside each window the nights are compared within weekdays and within weekends (Friday and Saturday
nights) and the two differences are pooled: someone who doses on work nights only, with weekends
10 minutes longer to fall asleep, would otherwise see the weekend as magnesium (simulated in
tests/domain/test_headline.py, magnesium on 85% of work nights and 15% of weekend nights, no
effect: 57% false "better" without the split, 0.5% with it).

Whatever it finds, a diary comparison is an association and is worded as one: when a person
chooses the nights, the choice (a work night, a night they expect to be bad) can make the
difference. Only a randomised trial makes a claim of effect (`Effect.claim`).

Only the primary outcome (a setting, time to fall asleep by default, where the published effect
is: Mah & Pitre 2021) makes the headline; the other metrics are secondary, since eight intervals
would find something by chance.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from magsleep.domain.comparison import MIN_NIGHTS, Comparison, t_quantile
from magsleep.domain.n_of_1 import TrialResult
from magsleep.domain.trend import DIFF_UNITS, METRICS_BY_KEY, NightPoint, with_known

WINDOW_NIGHTS = 14
MIN_EACH_SIDE = 3
MIN_WINDOWS = 4


@dataclass(frozen=True)
class Effect:
    """The headline's claim about magnesium, on one metric."""

    metric: str
    basis: str  # "trial" | "diary"
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    direction: str  # "better" | "worse" | "unclear" | "cannot tell" | "too few" (| "interim" in a trial)
    windows: int = 0
    """Diary basis: the 14-night windows that held nights both with and without a dose."""

    @property
    def claim(self) -> str:
        """"effect" from a randomised trial, "association" from a diary (the person chose the nights)."""
        return "effect" if self.basis == "trial" else "association"

    def as_dict(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 2)

        return {"metric": self.metric, "basis": self.basis, "claim": self.claim, "estimate": r(self.estimate),
                "ci_low": r(self.ci_low), "ci_high": r(self.ci_high), "direction": self.direction}


def _direction(metric: str, low: float, high: float) -> str:
    if low > 0 or high < 0:
        return "better" if (low > 0) == METRICS_BY_KEY[metric].higher_is_better else "worse"
    return "unclear"


def diary_effect(points: Sequence[NightPoint], metric: str) -> Effect:
    """Magnesium nights against nearby nights without, window by window (see the module docstring)."""
    points = with_known(points, metric)  # a night that does not give the metric is not a 0 for it
    on = sum(1 for p in points if p.on_magnesium)
    off = len(points) - on
    if on < MIN_NIGHTS or off < MIN_NIGHTS:
        return Effect(metric, "diary", None, None, None, "too few")
    first = min(p.night for p in points)
    # (window, weekend?) -> (magnesium nights, nights without)
    cells: dict[tuple[int, bool], tuple[list[float], list[float]]] = {}
    for p in points:
        sides = cells.setdefault(((p.night - first).days // WINDOW_NIGHTS, is_weekend(p.night)), ([], []))
        sides[0 if p.on_magnesium else 1].append(getattr(p, metric))
    diffs = [d for w in sorted({w for w, _ in cells})
             if (d := _window_diff([cells[w, end] for end in (False, True) if (w, end) in cells])) is not None]
    if len(diffs) < MIN_WINDOWS:
        return Effect(metric, "diary", None, None, None, "cannot tell", len(diffs))
    mean = statistics.fmean(diffs)
    half = t_quantile(len(diffs) - 1) * statistics.stdev(diffs) / math.sqrt(len(diffs))
    return Effect(metric, "diary", mean, mean - half, mean + half, _direction(metric, mean - half, mean + half),
                  len(diffs))


def is_weekend(night: date) -> bool:
    """Friday and Saturday nights (a night is named by its evening), when most people sleep later."""
    return night.weekday() in (4, 5)


def _window_diff(strata: list[tuple[list[float], list[float]]]) -> float | None:
    """One window's magnesium-minus-without difference, within weekdays and within weekends,
    pooled with weights n_on * n_off / (n_on + n_off) (each stratum's information); None when the
    strata that hold both kinds of night have fewer than MIN_EACH_SIDE of either."""
    both = [(a, b) for a, b in strata if a and b]
    if sum(len(a) for a, _ in both) < MIN_EACH_SIDE or sum(len(b) for _, b in both) < MIN_EACH_SIDE:
        return None
    weights = [len(a) * len(b) / (len(a) + len(b)) for a, b in both]
    return sum(w * (statistics.fmean(a) - statistics.fmean(b)) for w, (a, b) in zip(weights, both)) / sum(weights)


ASSOCIATION = ("an association; if you choose when to take it, that choice can make the difference; "
               "a randomised trial can tell ('magsleep trial plan')")
_PHRASES = {"sol_min": ("were", "shorter to fall asleep", "longer to fall asleep"),
            "se_pct": ("had", "higher sleep efficiency", "lower sleep efficiency"),
            "tst_min": ("had", "more total sleep", "less total sleep"),
            "quality": ("had", "higher quality", "lower quality")}


def headline_text(effect: Effect, since_start: tuple[float | None, float | None, float | None] | None = None,
                  start: date | None = None) -> str:
    """The headline in plain words. `since_start` is the raw before/after (diff, low, high), said
    when the diary cannot separate magnesium from time."""
    m = METRICS_BY_KEY[effect.metric]
    unit = DIFF_UNITS[effect.metric]
    if effect.direction == "too few":
        return (f"Too few nights to tell yet: {m.label.lower()} needs at least {MIN_NIGHTS} nights with "
                f"and {MIN_NIGHTS} without magnesium.")
    if effect.direction == "cannot tell":
        raw = ""
        if since_start is not None and since_start[0] is not None:
            diff, low, high = since_start
            interval = f" (95% CI {low:+.1f} to {high:+.1f})" if low is not None and high is not None else ""
            raw = f"{m.label} {diff:+.1f}{unit}{interval} since you started"
            raw += f" on {start:%d %b}" if start else ""
            raw += "; "
        return (f"{raw[0].upper() + raw[1:] if raw else ''}this diary can't tell magnesium from time: "
                "a randomised trial can.")
    est, low, high = effect.estimate, effect.ci_low, effect.ci_high
    if est is None or low is None or high is None:
        return f"No estimate yet: {m.label.lower()} on magnesium nights against nearby nights without."
    numbers = (f"{m.label} {est:+.1f}{unit}, 95% CI {low:+.1f} to {high:+.1f}, "
               f"{effect.windows} fortnights, weekdays and weekends compared apart")
    if effect.direction == "unclear":
        return (f"No clear difference between magnesium nights and nearby nights without so far ({numbers}): "
                f"{ASSOCIATION}.")
    verb, less, more = _PHRASES[effect.metric]
    phrase = less if est < 0 else more
    return (f"Magnesium nights {verb} {abs(est):.1f}{unit} {phrase} than nearby nights without "
            f"({numbers}): {ASSOCIATION}.")


def trial_effect(result: TrialResult) -> Effect:
    """The headline from a randomised trial: its own outcome, estimate and interval."""
    e = result.as_randomised
    # No call before the planned end, after an early stop, or with too few usable pairs.
    direction = result.direction if result.direction in ("better", "worse", "unclear") else "too few"
    return Effect(result.plan.metric, "trial", e.estimate, e.ci_low, e.ci_high, direction)


def headline(points: Sequence[NightPoint], metric: str, comparisons: Sequence[Comparison],
             start: date | None, trial: TrialResult | None) -> tuple[Effect, str]:
    """What the headline claims and says: the trial's result when one has begun, else the diary's."""
    if trial is not None:
        return trial_effect(trial), trial.text()
    effect = diary_effect(points, metric)
    since = next((c for c in comparisons if c.metric == metric and c.kind == "before_after"), None)
    raw = (since.diff, since.ci_low, since.ci_high) if since is not None and since.enough else None
    return effect, headline_text(effect, raw, start)
