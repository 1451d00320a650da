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

The call is made only at the planned end, from pairs whose two periods are both over (issue 18:
interim calls gave a nightly looker 9-16% false calls); a plan is sized by `trial_sizing`.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from magsleep.domain import trial_sizing
from magsleep.domain.comparison import t_quantile
from magsleep.domain.trend import DIFF_UNITS, METRICS_BY_KEY

# The plan lives in `trial_plan` (light, read with tonight); these names stay importable from here.
from magsleep.domain.trial_plan import DEFAULTS as DEFAULTS
from magsleep.domain.trial_plan import MAX_AHEAD_NIGHTS as MAX_AHEAD_NIGHTS
from magsleep.domain.trial_plan import MAX_PAIRS
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
    """One pair's period means over its counted nights with a diary (None under MIN_COUNTED)."""

    pair: int
    order: str
    on_mean: float | None
    off_mean: float | None
    on_n: int
    off_n: int
    complete: bool = True
    """Both periods are over (by the last night analysed, or the stop): only then does it count."""

    @property
    def diff(self) -> float | None:
        if not self.complete or self.on_mean is None or self.off_mean is None:
            return None
        return self.on_mean - self.off_mean


@dataclass(frozen=True)
class Estimate:
    """The mean on-minus-off difference over usable pairs, its 95% interval and p-value."""

    pairs_complete: int
    """Usable pairs: both periods over, each with MIN_COUNTED counted diary nights."""
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_randomization: float | None

    @property
    def excludes_zero(self) -> bool:
        """The interval lies on one side of zero; a zero-width one (identical differences) never does."""
        low, high = self.ci_low, self.ci_high
        return low is not None and high is not None and low < high and (low > 0 or high < 0)

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


NOT_RANDOMISED = "not randomised: biased if doses followed how you expected to sleep"
"""Per protocol drops deviation nights, and people deviate on nights they expect to be unusual:
with no effect, issue 18 measured a median +7.5 min; tests/domain/test_trial_calls.py (a dose on an
off night after a long one, SD 25, rho 0.5) about +5 min while as randomised stays near 0."""
P_FLOOR_PAIRS = 6
"""From 6 pairs the exact randomisation p can reach 0.031; below, the call rests on the t interval."""


@dataclass(frozen=True)
class TrialResult:
    """The trial analysed as planned up to a night: the call is made only at the planned end."""

    plan: TrialPlan
    pairs: tuple[PairResult, ...]
    as_randomised: Estimate
    per_protocol: Estimate
    deviations: tuple[date, ...]
    finished: bool
    direction: str  # "better" | "worse" | "unclear" | "interim" | "stopped" | "too few"
    pair_results_pp: tuple[PairResult, ...] = field(default=())
    nights: Mapping[date, NightData] = field(default_factory=dict, repr=False, compare=False)
    """The nights analysed, kept for `power` (computed only when asked)."""

    @property
    def effect(self) -> float:
        """The improvement `power` is about: the outcome's default (trial_sizing.DEFAULT_EFFECT)."""
        return trial_sizing.DEFAULT_EFFECT[self.plan.outcome]

    @cached_property
    def power(self) -> float | None:
        """A finished trial with no clear difference: this plan's power for `effect` at the nightly
        SD of the trial's own nights without magnesium, said so "no clear difference" is not read
        as "no effect". A simulation (a tenth of a second): only computed when asked."""
        if self.direction != "unclear":
            return None
        return _plan_power(self.plan, self.nights)

    @cached_property
    def extension(self) -> tuple[int, float, float] | None:
        """While the trial runs and its own nights without magnesium (at least 14) are noisier than
        the plan can handle (power under 80% for `effect`): the fewest pairs, at most 12, that would
        reach it (or 12), with the power now and then. From the noise only, never from the running
        estimate, so looking at it does not steer the call; None when no extension is needed."""
        if self.direction != "interim" or self.plan.pairs >= MAX_PAIRS:
            return None
        model, basis, _ = trial_sizing.noise_model(self.plan.outcome, _nights_without(self.plan, self.nights))
        if basis != "your nights":
            return None
        powers = trial_sizing.power_by_pairs(
            model, self.effect, METRICS_BY_KEY[self.plan.metric].higher_is_better, period=self.plan.period_nights,
            washout=self.plan.washout_nights, max_pairs=MAX_PAIRS, baseline=self.plan.baseline_nights, runs=400)
        now = powers[self.plan.pairs - 1]
        if now >= trial_sizing.TARGET:
            return None
        pairs = next((k for k in range(self.plan.pairs + 1, MAX_PAIRS + 1) if powers[k - 1] >= trial_sizing.TARGET),
                     MAX_PAIRS)
        return pairs, now, powers[pairs - 1]

    def next_step(self) -> str:
        """What to do next, in plain words (after the result, before the numbers' details)."""
        size = self._size()
        if self.direction == "interim":
            ext = self.extension
            if ext is None:
                return (f"Keep to the plan until {self.plan.end:%d %b %Y}; the result is called the morning after, "
                        "not before.")
            pairs, now, then = ext
            return (f"Your nights vary more than this plan allows for: it would find a real {size} improvement about "
                    f"{round(now * 10)} times in 10. Extending the trial by {pairs - self.plan.pairs} pairs "
                    f"(magsleep trial extend --pairs {pairs - self.plan.pairs}, before {self.plan.end:%d %b}) would "
                    f"make that about {round(then * 10)} in 10.")
        if self.direction == "unclear" and self.power is not None and self.power < trial_sizing.TARGET:
            return "A longer trial could tell: 'magsleep trial plan' sizes one to your nights."
        if self.direction == "too few":
            return "A new trial with the morning log kept every day can tell; the plan is sized to your nights."
        if self.direction in ("better", "worse"):
            return ("What to do with it is for you and your healthcare professional; magsleep never suggests a "
                    "dose.")
        return ""

    @property
    def stopped_early(self) -> bool:
        return self.plan.stopped_early  # one definition: the plan's

    @property
    def conclusion_on(self) -> date:
        """The morning after the plan's last night: when its diary is in and the call is made."""
        return self.plan.end + timedelta(days=1)

    def as_dict(self) -> dict[str, Any]:
        pp = {k: v for k, v in self.per_protocol.as_dict().items() if k != "p_randomization"}
        k = self.as_randomised.pairs_complete
        return {"outcome": self.plan.metric, **self.as_randomised.as_dict(),
                "smallest_p": round(2 / 2 ** k, 3) if k >= 2 else None,
                "per_protocol": {**pp, "note": NOT_RANDOMISED}, "direction": self.direction,
                "finished": self.finished, "stopped_early": self.stopped_early,
                "conclusion_on": self.conclusion_on.isoformat(),
                "deviations": len(self.deviations), "pairs_planned": self.plan.pairs,
                "power": None if self.power is None else round(self.power, 3), "effect": self.effect,
                "next_step": self.next_step()}

    def _unit(self) -> str:
        return DIFF_UNITS[self.plan.metric]

    def _size(self) -> str:
        """The effect looked for, as words: "15-minute" or "5-point"."""
        return f"{self.effect:g}-{'minute' if self._unit() == ' min' else 'point'}"

    def numbers(self) -> str:
        """The estimate, what its sign means, the interval and the p-value, as one clause."""
        metric = METRICS_BY_KEY[self.plan.metric]
        e, unit = self.as_randomised, self._unit()
        if e.estimate is None:
            return ""
        lower = {"sol_min": "faster to fall asleep", "se_pct": "lower efficiency", "tst_min": "less sleep",
                 "quality": "lower quality"}[self.plan.metric]
        head = f"{metric.label} {e.estimate:+.1f}{unit}, magnesium minus without (minus: {lower} on magnesium)"
        if e.ci_low is None or e.ci_high is None or e.p_randomization is None:
            return f"{head}, from 1 pair: no interval yet"
        return (f"{head}; 95% CI {e.ci_low:+.1f} to {e.ci_high:+.1f}, where the true difference probably lies; "
                f"randomisation p = {e.p_randomization:.3f}")

    def p_note(self) -> str:
        k = self.as_randomised.pairs_complete
        if k < 2 or k >= P_FLOOR_PAIRS or self.direction not in ("better", "worse"):
            return ""
        return (f" With {k} pairs the randomisation p cannot go below {2 / 2 ** k:.3f}, so the call rests on "
                f"the t interval; {P_FLOOR_PAIRS} pairs or more let the p speak too.")

    def text(self) -> str:
        """The result in plain words first, the numbers second."""
        e = self.as_randomised
        done = f"{e.pairs_complete} of {self.plan.pairs} pairs done"
        numbers = self.numbers()
        tail = f" {numbers}." if numbers else ""
        if self.direction == "stopped":
            return f"Stopped early: no conclusion ({done}, the plan ran to {self.plan.end}).{tail}"
        if self.direction == "interim":
            running = f" Running estimate: {numbers}." if numbers else " No estimate yet."
            return f"Interim: {done}; no conclusion until {self.conclusion_on:%d %b %Y}.{running}"
        if self.direction == "too few":
            return (f"Finished: only {e.pairs_complete} of {self.plan.pairs} pairs had {MIN_COUNTED} counted diary "
                    f"nights in both periods: no conclusion.{tail}")
        if self.direction == "unclear":
            found = ""
            if self.power is not None:
                found = (f" A real {self._size()} improvement would be found about {round(self.power * 10)} times "
                         "in 10 by this plan; no clear difference does not mean it does nothing.")
            return f"No clear difference in your randomised trial ({done}).{found}{tail}"
        words = {"better": "Better on magnesium", "worse": "Worse on magnesium"}[self.direction]
        return f"{words} in your randomised trial ({done}).{tail}{self.p_note()}"

    def per_protocol_text(self) -> str:
        """Per protocol, never with a p: it is not randomised."""
        pp = self.per_protocol
        if pp.estimate is None or pp.ci_low is None or pp.ci_high is None:
            return f"Per protocol (deviation nights left out; {NOT_RANDOMISED}): no estimate yet."
        return (f"Per protocol (deviation nights left out; {NOT_RANDOMISED}): {pp.estimate:+.1f}{self._unit()}, "
                f"95% CI {pp.ci_low:+.1f} to {pp.ci_high:+.1f}.")


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if len(values) >= MIN_COUNTED else None


def analysis_cutoff(plan: TrialPlan, last: date) -> date:
    """The last night analysed: `last`, or the night of the stop if that came first."""
    if plan.stopped_at is not None:
        return min(last, date.fromisoformat(plan.stopped_at[:10]))
    return last


def pair_results(plan: TrialPlan, data: Mapping[date, NightData], last: date, *,
                 per_protocol: bool = False) -> list[PairResult]:
    """Each pair's period means over counted nights with a diary (deviations left out per protocol).
    A pair is complete only when both its periods are over: a half-finished period would let a
    person who looks every night stop at a lucky moment (9-16% false calls, issue 18)."""
    values: dict[tuple[int, str], list[float]] = {}
    cutoff = analysis_cutoff(plan, last)
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
    first = plan.start + timedelta(days=plan.baseline_nights)
    for pair, order in enumerate(plan.orders, 1):
        on, off = values.get((pair, "on"), []), values.get((pair, "off"), [])
        ends = first + timedelta(days=2 * pair * plan.period_nights - 1)
        results.append(PairResult(pair, order, _mean(on), _mean(off), len(on), len(off), ends <= cutoff))
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


def call(plan: TrialPlan, e: Estimate, last: date) -> str:
    """The trial's call: only at the planned end, with enough usable pairs and an interval off zero."""
    if plan.stopped_early:
        return "stopped"
    if last < plan.end:
        return "interim"
    if e.pairs_complete < MIN_PAIRS_FOR_DIRECTION:
        return "too few"
    if e.excludes_zero and e.ci_low is not None:
        higher = e.ci_low > 0
        return "better" if higher == METRICS_BY_KEY[plan.metric].higher_is_better else "worse"
    return "unclear"


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
    return TrialResult(plan, tuple(pairs), as_randomised, per_protocol, deviations, finished,
                       call(plan, as_randomised, last), tuple(pp_pairs), data)


def _nights_without(plan: TrialPlan, data: Mapping[date, NightData]) -> dict[date, float]:
    """The trial's own nights without magnesium (baseline and off periods, no dose) with the outcome."""
    return {s.night: d.value for s in plan.schedule() if s.phase != "on"
            and (d := data.get(s.night)) is not None and d.value is not None and not d.dosed}


def _plan_power(plan: TrialPlan, data: Mapping[date, NightData]) -> float:
    """The plan's power for the outcome's default effect, at the nightly SD and autocorrelation of
    the trial's own nights without magnesium (baseline and off periods, no dose)."""
    model, _, _ = trial_sizing.noise_model(plan.outcome, _nights_without(plan, data))
    return trial_sizing.plan_power(model, trial_sizing.DEFAULT_EFFECT[plan.outcome],
                                   METRICS_BY_KEY[plan.metric].higher_is_better, baseline=plan.baseline_nights,
                                   period=plan.period_nights, pairs=plan.pairs, washout=plan.washout_nights)
