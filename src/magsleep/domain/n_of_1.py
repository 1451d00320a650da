"""The randomised N-of-1 trial: a plan fixed before the data, and its analysis as planned.

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

import hashlib
import itertools
import json
import math
import secrets
import statistics
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from magsleep.domain.comparison import t_quantile
from magsleep.domain.errors import InvalidInput
from magsleep.domain.parsing import EARLIEST_DATE
from magsleep.domain.text_safety import visible
from magsleep.domain.trend import METRICS_BY_KEY, OUTCOMES

DEFAULTS: dict[str, Any] = {"baseline": 14, "period": 14, "pairs": 4, "washout": 7, "outcome": "sol"}
MIN_COUNTED = 4
"""A period counts only with at least this many counted nights with a diary."""
MIN_PAIRS_FOR_DIRECTION = 3
ORDERS = ("on-off", "off-on")
MAX_AHEAD_NIGHTS = 365
"""A plan's first night is at most this many nights after the day it was made (and so, for a
plan made now, at most a year ahead): every date of a plan stays far from the calendar's end."""


@dataclass(frozen=True)
class ScheduledNight:
    """One night of the plan: its phase, pair (None in the baseline) and whether it counts."""

    night: date
    phase: str  # "baseline" | "on" | "off"
    pair: int | None  # 1-based
    period_night: int  # 1-based night within its period (or the baseline)
    counts: bool

    def as_dict(self) -> dict:
        return {"night": self.night.isoformat(), "phase": self.phase, "pair": self.pair, "counts": self.counts}


@dataclass(frozen=True)
class TrialPlan:
    """A randomised plan, immutable once made; a new plan is a new trial."""

    start: date
    baseline_nights: int
    period_nights: int
    pairs: int
    washout_nights: int
    outcome: str  # a key of OUTCOMES
    orders: tuple[str, ...]  # ORDERS, one per pair, drawn when the plan was made
    created_at: str  # ISO moment
    stopped_at: str | None = None

    @property
    def metric(self) -> str:
        return OUTCOMES[self.outcome]

    def canonical(self) -> dict:
        """What the fingerprint covers: everything fixed before the data (not the stop)."""
        data = asdict(self)
        data.pop("stopped_at")
        data["start"] = self.start.isoformat()
        data["orders"] = list(self.orders)
        return data

    @property
    def fingerprint(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:12]

    @property
    def stopped_early(self) -> bool:
        """Stopped before its last night was over (a plan closed after its end ran its course)."""
        return self.stopped_at is not None and datetime.fromisoformat(self.stopped_at).date() <= self.end

    @property
    def end(self) -> date:
        """The plan's last night."""
        return self.start + timedelta(days=self.baseline_nights + 2 * self.pairs * self.period_nights - 1)

    def schedule(self) -> list[ScheduledNight]:
        nights = [ScheduledNight(self.start + timedelta(days=i), "baseline", None, i + 1, False)
                  for i in range(self.baseline_nights)]
        day = self.start + timedelta(days=self.baseline_nights)
        for pair, order in enumerate(self.orders, 1):
            for phase in order.split("-"):
                for i in range(self.period_nights):
                    nights.append(ScheduledNight(day, phase, pair, i + 1, i >= self.washout_nights))
                    day += timedelta(days=1)
        return nights

    def night(self, night: date) -> ScheduledNight | None:
        """The plan's entry for `night`, or None outside the plan."""
        offset = (night - self.start).days
        if offset < 0 or night > self.end:
            return None
        if offset < self.baseline_nights:
            return ScheduledNight(night, "baseline", None, offset + 1, False)
        offset -= self.baseline_nights
        pair, within = divmod(offset, 2 * self.period_nights)
        second, period_night = divmod(within, self.period_nights)
        phase = self.orders[pair].split("-")[second]
        return ScheduledNight(night, phase, pair + 1, period_night + 1, period_night >= self.washout_nights)

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "baseline_nights": self.baseline_nights,
                "period_nights": self.period_nights, "pairs": self.pairs,
                "washout_nights": self.washout_nights, "outcome": self.outcome,
                "orders": list(self.orders), "fingerprint": self.fingerprint,
                "created_at": self.created_at, "stopped_at": self.stopped_at}


def make_plan(start: date, created_at: str, *, baseline: int = DEFAULTS["baseline"],
              period: int = DEFAULTS["period"], pairs: int = DEFAULTS["pairs"],
              washout: int = DEFAULTS["washout"], outcome: str = DEFAULTS["outcome"],
              draw: Callable[[tuple[str, ...]], str] = secrets.choice) -> TrialPlan:
    """A new plan, checked in full; each pair's order is drawn with `draw` (secrets.choice) now,
    never again."""
    check_plan_numbers(baseline, period, pairs, washout, outcome)
    plan = TrialPlan(start, baseline, period, pairs, washout, outcome,
                     tuple(draw(ORDERS) for _ in range(pairs)), created_at)
    try:
        check_plan(plan)
    except InvalidInput as err:
        raise InvalidInput("--start" if err.field == "start" else err.field, err.message) from None
    return plan


def _moment(value: object, field: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidInput(field, "must be an ISO date-time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{visible(value[:30])!r} is not an ISO date-time") from None
    if moment.date() < EARLIEST_DATE:
        raise InvalidInput(field, f"{moment.date()} is too early; dates start at {EARLIEST_DATE}")
    return moment


def check_plan(plan: TrialPlan, *, latest_made: date | None = None) -> None:
    """Every part of a plan, whether just made, read back or imported: its numbers, its orders, its
    moments, and its dates (the first night within MAX_AHEAD_NIGHTS of the day it was made, so no
    date of it runs off the calendar); `latest_made`: the last day it may have been made (today).
    Raises InvalidInput naming the part ("start", "orders", "created_at", "stopped_at", "--pairs"...)."""
    check_plan_numbers(plan.baseline_nights, plan.period_nights, plan.pairs, plan.washout_nights, plan.outcome)
    if len(plan.orders) != plan.pairs or any(o not in ORDERS for o in plan.orders):
        raise InvalidInput("orders", "must hold one 'on-off' or 'off-on' per pair")
    made = _moment(plan.created_at, "created_at").date()
    if latest_made is not None and made > latest_made + timedelta(days=1):  # a day's slack for time zones
        raise InvalidInput("created_at", f"{made} is in the future")
    if plan.stopped_at is not None:
        _moment(plan.stopped_at, "stopped_at")
    if not isinstance(plan.start, date) or plan.start < EARLIEST_DATE:
        raise InvalidInput("start", f"dates start at {EARLIEST_DATE}")
    if plan.start > made + timedelta(days=MAX_AHEAD_NIGHTS):
        raise InvalidInput("start", f"{plan.start} is more than a year after the plan was made ({made}); "
                                    f"a plan starts within {MAX_AHEAD_NIGHTS} nights")
    try:
        plan.end  # noqa: B018 (a date made far in the future runs off the calendar here)
    except OverflowError:
        raise InvalidInput("created_at", f"{made} is too late") from None


def check_plan_numbers(baseline: int, period: int, pairs: int, washout: int, outcome: str) -> None:
    if not 0 <= baseline <= 90:
        raise InvalidInput("--baseline", "must be 0 to 90 nights")
    if not 4 <= period <= 60:
        raise InvalidInput("--period", "must be 4 to 60 nights")
    if not 2 <= pairs <= 12:
        raise InvalidInput("--pairs", "must be 2 to 12")
    if not 0 <= washout <= period - MIN_COUNTED:
        raise InvalidInput("--washout", f"must be 0 to {period - MIN_COUNTED} nights (a period needs "
                                        f"{MIN_COUNTED} counted nights)")
    if outcome not in OUTCOMES:
        raise InvalidInput("--outcome", f"must be one of {', '.join(OUTCOMES)}")


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


def tonight_text(plan: TrialPlan, night: date) -> str:
    """Where the person stands tonight, in one line."""
    s = plan.night(night)
    if s is None:
        if night < plan.start:
            return f"Trial starts on {plan.start:%a %d %b}."
        return "Trial finished: see Insights for the result."
    if s.phase == "baseline":
        return f"Trial · baseline night {s.period_night} of {plan.baseline_nights}: as usual, no magnesium."
    counts = "counts" if s.counts else "washout"
    if s.phase == "on":
        return (f"Trial · pair {s.pair} of {plan.pairs} · magnesium period, night {s.period_night} of "
                f"{plan.period_nights} ({counts})")
    return (f"Trial · pair {s.pair} of {plan.pairs} · no-magnesium period: skip magnesium tonight · "
            f"night {s.period_night} of {plan.period_nights} ({counts})")
