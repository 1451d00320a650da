"""The randomised N-of-1 trial: its design, and the analysis as planned (the plan itself, fixed
before the data, is `trial_plan.TrialPlan`).

Design ("block pairs", Kravitz & Duan, AHRQ N-of-1 User's Guide 2014, ch. 4): after a baseline,
each pair holds one magnesium period and one period without, in an order drawn at random when
the plan is made (`secrets`), stored and never redrawn. The first `washout_nights` of every
period are taken but not counted (an "analytic washout", PMC3925439): magnesium stores change
over days (NIH ODS), so a period's first nights carry the last period's effect.

Analysis (Chen & Chen 2014, PLoS ONE e87752: the paired t-test on period means keeps its error
rate with 3-4 pairs even with 20% carryover): for each complete pair, the mean outcome over the
counted nights with a diary of the magnesium period minus that of the other period; the estimate
is the mean of those differences with a Student t interval on (pairs - 1) degrees of freedom,
and an exact randomisation p-value over all 2^pairs orders (with 4 pairs the smallest possible
two-sided p is 0.125, so the estimate and interval lead). Per protocol leaves out deviation
nights (a dose on a night without, none on a magnesium night).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

from magsleep.domain.comparison import t_quantile
from magsleep.domain.trend import METRICS_BY_KEY

# The plan lives in `trial_plan` (light, read with tonight); these names stay importable from here.
from magsleep.domain.trial_plan import DEFAULTS as DEFAULTS
from magsleep.domain.trial_plan import MAX_AHEAD_NIGHTS as MAX_AHEAD_NIGHTS
from magsleep.domain.trial_plan import MIN_COUNTED as MIN_COUNTED
from magsleep.domain.trial_plan import ORDERS as ORDERS
from magsleep.domain.trial_plan import ScheduledNight as ScheduledNight
from magsleep.domain.trial_plan import TrialPlan as TrialPlan
from magsleep.domain.trial_plan import check_plan as check_plan
from magsleep.domain.trial_plan import check_plan_numbers as check_plan_numbers
from magsleep.domain.trial_plan import make_plan as make_plan
from magsleep.domain.trial_plan import tonight_text as tonight_text

MIN_PAIRS_FOR_DIRECTION = 3


# ---------------------------------------------------------------- analysis


@dataclass(frozen=True)
class NightData:
    """What the analysis needs of one night: the outcome (None without a diary) and any dose."""

    value: float | None
    dosed: bool


@dataclass(frozen=True)
class PairResult:
    pair: int
    order: str
    on_mean: float | None
    off_mean: float | None
    on_n: int
    off_n: int

    @property
    def diff(self) -> float | None:
        if self.on_mean is None or self.off_mean is None:
            return None
        return self.on_mean - self.off_mean


@dataclass(frozen=True)
class Estimate:
    """The mean on-minus-off difference over complete pairs, its 95% interval and p-value."""

    pairs_complete: int
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_randomization: float | None

    def as_dict(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class TrialResult:
    plan: TrialPlan
    pairs: tuple[PairResult, ...]
    as_randomised: Estimate
    per_protocol: Estimate
    deviations: tuple[date, ...]
    finished: bool
    direction: str  # "better" | "worse" | "unclear" | "interim"
    pair_results_pp: tuple[PairResult, ...] = field(default=())

    def as_dict(self) -> dict:
        return {"outcome": self.plan.metric, **self.as_randomised.as_dict(),
                "per_protocol": self.per_protocol.as_dict(), "direction": self.direction,
                "deviations": len(self.deviations), "pairs_planned": self.plan.pairs}

    def text(self) -> str:
        """The result in plain words."""
        metric = METRICS_BY_KEY[self.plan.metric]
        e = self.as_randomised
        done = f"{e.pairs_complete} of {self.plan.pairs} pairs done"
        stopped = " The trial was stopped early." if self.plan.stopped_early else ""
        if e.estimate is None:
            return f"Randomised trial: {done}; no result yet.{stopped}"
        unit = "" if metric.unit in ("1-5",) else (" points" if metric.unit == "%" else " min")
        numbers = (f"{metric.label} {e.estimate:+.1f}{unit} on magnesium (95% CI {e.ci_low:+.1f} to "
                   f"{e.ci_high:+.1f}; randomisation p = {e.p_randomization:.3f}, smallest possible "
                   f"{2 / 2 ** e.pairs_complete:.3f})")
        if self.direction == "interim":
            return f"Interim: {done}, no conclusion yet. {numbers}.{stopped}"
        words = {"better": "Better on magnesium", "worse": "Worse on magnesium",
                 "unclear": "No clear difference"}[self.direction]
        return f"{words} in your randomised trial ({done}): {numbers}.{stopped}"


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if len(values) >= MIN_COUNTED else None


def pair_results(plan: TrialPlan, data: Mapping[date, NightData], last: date, *,
                 per_protocol: bool = False) -> list[PairResult]:
    """Each pair's period means over counted nights with a diary (deviations left out per protocol)."""
    values: dict[tuple[int, str], list[float]] = {}
    cutoff = last
    if plan.stopped_at is not None:
        cutoff = min(last, date.fromisoformat(plan.stopped_at[:10]))
    for s in plan.schedule():
        if s.pair is None or not s.counts or s.night > cutoff:
            continue
        d = data.get(s.night)
        if d is None or d.value is None:
            continue
        if per_protocol and d.dosed != (s.phase == "on"):
            continue
        values.setdefault((s.pair, s.phase), []).append(d.value)
    results = []
    for pair, order in enumerate(plan.orders, 1):
        on, off = values.get((pair, "on"), []), values.get((pair, "off"), [])
        results.append(PairResult(pair, order, _mean(on), _mean(off), len(on), len(off)))
    return results


def estimate(diffs: list[float]) -> Estimate:
    """Mean difference, Student t interval on k - 1 df, exact randomisation p over 2^k sign flips."""
    k = len(diffs)
    if k < 2:
        return Estimate(k, diffs[0] if diffs else None, None, None, None)
    mean = statistics.fmean(diffs)
    half = t_quantile(k - 1) * statistics.stdev(diffs) / math.sqrt(k)
    # Swapping a pair's order swaps which period is "on": its difference changes sign.
    observed = abs(sum(diffs)) - 1e-9
    extreme = sum(1 for signs in itertools.product((1, -1), repeat=k)
                  if abs(sum(s * d for s, d in zip(signs, diffs))) >= observed)
    return Estimate(k, mean, mean - half, mean + half, extreme / 2 ** k)


def analyse(plan: TrialPlan, data: Mapping[date, NightData], last: date) -> TrialResult:
    """The trial's result as planned, from the nights up to `last` (last night)."""
    pairs = pair_results(plan, data, last)
    pp_pairs = pair_results(plan, data, last, per_protocol=True)
    as_randomised = estimate([p.diff for p in pairs if p.diff is not None])
    per_protocol = estimate([p.diff for p in pp_pairs if p.diff is not None])
    deviations = tuple(s.night for s in plan.schedule()
                       if s.pair is not None and s.night <= last and s.night in data
                       and data[s.night].dosed != (s.phase == "on"))
    finished = plan.stopped_at is not None or last >= plan.end
    direction = "interim"
    e = as_randomised
    if e.pairs_complete >= MIN_PAIRS_FOR_DIRECTION and e.ci_low is not None and e.ci_high is not None:
        if e.ci_low > 0 or e.ci_high < 0:
            higher = e.ci_low > 0
            direction = "better" if higher == METRICS_BY_KEY[plan.metric].higher_is_better else "worse"
        elif finished or e.pairs_complete >= plan.pairs:
            direction = "unclear"
    return TrialResult(plan, tuple(pairs), as_randomised, per_protocol, deviations, finished, direction,
                       tuple(pp_pairs))
