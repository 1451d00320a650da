"""Sizing a randomised trial from the person's own nights, by simulation (issue 18).

A closed formula with one "SD of the difference" is far too optimistic for sleep diaries: time to
fall asleep is skewed, night-to-night correlated, missing on some nights and heavier at weekends.
So the plan is sized the way it will be analysed (`n_of_1.analyse`): many simulated trials, each a
series of nights with the person's nightly SD and lag-1 autocorrelation, log-normal skew (for time
to fall asleep), missing nights; each period's mean over its counted nights (at least
`MIN_COUNTED` of them), the on-minus-off difference of each usable pair, the Student t interval on
(pairs - 1) df, and a call only when that interval excludes zero in the right direction. Power is
the share of simulated trials that make that call.

The effect of magnesium on time to fall asleep is taken as proportional (a 15-minute effect on
30-minute nights halves every night), which is how a skewed latency shrinks: on nights that were
going to be long it saves more. The effect is taken to be complete once the washout is over.

Speed without numpy: every candidate plan reads the same simulated nights (common random numbers,
so powers of neighbouring plans are consistent), through prefix sums: a period's mean costs two
subtractions, and the pairs are added one at a time, so one pass gives the power of 3, 4, ... k
pairs at once. 1,000 simulated years of nights and all plans take about half a second.

Without 14 usable nights (a diary, no magnesium) the nightly SD and autocorrelation are assumed:
SD 25 min and rho 0.3 for time to fall asleep, and said to be assumed.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate
from operator import mul
from typing import Any

from magsleep.domain.comparison import t_quantile
from magsleep.domain.trend import DIFF_UNITS, METRICS_BY_KEY, OUTCOMES, NightPoint
from magsleep.domain.trial_plan import MIN_COUNTED

MIN_MEASURED = 14
"""Usable nights needed before the person's own SD and autocorrelation are used."""
TARGET = 0.80
MIN_RECOMMENDED_PAIRS = 6
"""Below 6 pairs the exact randomisation p cannot reach 0.05 (2 / 2^5 = 0.0625)."""
YEAR_NIGHTS = 364
PERIODS = (14, 21, 28)
WASHOUT = 7
BASELINE = 14
RUNS = 1000
SEED = 20261130
DEFAULT_EFFECT = {"sol": 15.0, "se": 5.0, "tst": 30.0, "quality": 0.5}
"""The improvement to look for, in the outcome's unit (time to fall asleep: Mah & Pitre 2021,
PMC8053283, about 17 minutes faster than placebo)."""
ASSUMED = {"sol": (25.0, 0.3, 50.0), "se": (8.0, 0.3, 85.0), "tst": (50.0, 0.3, 400.0), "quality": (0.8, 0.3, 3.0)}
"""(nightly SD, lag-1 autocorrelation, mean) assumed with too few nights of the person's own. A
mean latency of 50 min is what reproduces the issue-18 power table (tests/domain/test_trial_sizing.py)."""
ASSUMED_MISSING = 0.15
MISSING_RANGE = (0.10, 0.40)


@dataclass(frozen=True)
class NoiseModel:
    """How simulated nights vary: nightly SD and mean, lag-1 autocorrelation, missing share,
    weekend bump (Fri and Sat nights), tails ("normal" or "t3"), drift per night, and whether
    the nights are log-normally skewed (time to fall asleep) with a proportional effect."""

    sd: float
    rho: float
    mean: float
    missing: float = ASSUMED_MISSING
    weekend: float = 0.0
    skewed: bool = True
    tails: str = "normal"
    drift: float = 0.0


@dataclass(frozen=True)
class PlanPower:
    """A plan's shape, its length and its simulated power."""

    baseline_nights: int
    period_nights: int
    pairs: int
    washout_nights: int
    power: float

    @property
    def nights(self) -> int:
        return self.baseline_nights + 2 * self.pairs * self.period_nights

    @property
    def weeks(self) -> int:
        return math.ceil(self.nights / 7)

    def as_dict(self) -> dict[str, Any]:
        return {"baseline_nights": self.baseline_nights, "period_nights": self.period_nights,
                "pairs": self.pairs, "washout_nights": self.washout_nights, "weeks": self.weeks,
                "power": round(self.power, 3)}

    def plan_numbers(self) -> dict[str, int]:
        """The plan's numbers as `trial_plan.make_plan` takes them."""
        return {"baseline": self.baseline_nights, "period": self.period_nights, "pairs": self.pairs,
                "washout": self.washout_nights}

    def words(self) -> str:
        return (f"{self.pairs} pairs of {self.period_nights}-night periods (washout {self.washout_nights}, "
                f"baseline {self.baseline_nights}): {self.weeks} weeks, power {_percent(self.power)}")


@dataclass(frozen=True)
class Sizing:
    """The recommended plan for one outcome and effect, its alternatives, and what it rests on."""

    outcome: str
    effect: float
    sd: float
    rho: float
    mean: float
    missing: float
    nights_used: int
    basis: str  # "your nights" | "assumed"
    recommended: PlanPower
    alternatives: tuple[PlanPower, ...]
    reaches_target: bool
    """False when 80% power would take more than a year: `recommended` is then the best under a year."""

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "effect": self.effect, "sd": round(self.sd, 2), "rho": round(self.rho, 3),
                "mean": round(self.mean, 2), "missing": round(self.missing, 3), "nights_used": self.nights_used,
                "basis": self.basis, "reaches_target": self.reaches_target,
                "recommended": self.recommended.as_dict(),
                "alternatives": [a.as_dict() for a in self.alternatives]}

    def lines(self) -> list[str]:
        """The recommendation in plain words, one line each."""
        metric = METRICS_BY_KEY[OUTCOMES[self.outcome]]
        unit = _unit(metric.key)
        if self.basis == "your nights":
            basis = (f"From {self.nights_used} of your nights without magnesium: nightly SD {self.sd:.1f}{unit}, "
                     f"night-to-night correlation {self.rho:.2f}, {self.missing:.0%} of nights missing.")
        else:
            basis = (f"Assumed (fewer than {MIN_MEASURED} nights without magnesium with a diary, you have "
                     f"{self.nights_used}): nightly SD {self.sd:.0f}{unit}, correlation {self.rho:.1f}, "
                     f"{self.missing:.0%} of nights missing. The baseline nights will measure yours.")
        goal = f"To find a real {self.effect:g}{unit} {_better(metric.key)} at least 8 times in 10:"
        if not self.reaches_target:
            goal = (f"Finding a real {self.effect:g}{unit} {_better(metric.key)} 8 times in 10 would take more "
                    f"than a year. The best plan under a year:")
        out = [basis, goal, f"  {self.recommended.words()}."]
        if self.alternatives:
            out.append("Shorter plans find it less often:")
            out += [f"  {a.words()}." for a in self.alternatives]
        return out


def _percent(share: float) -> str:
    # Rounded down, so a plan just short of 80% never reads as reaching it.
    return "over 99%" if share >= 0.995 else f"{math.floor(share * 100)}%"


def _unit(metric: str) -> str:
    return DIFF_UNITS[metric]


def _better(metric: str) -> str:
    return {"sol_min": "shortening of the time to fall asleep", "se_pct": "rise in sleep efficiency",
            "tst_min": "rise in total sleep", "quality": "rise in quality"}[metric]


def measure(values: Mapping[date, float]) -> tuple[float, float, float, int]:
    """(SD, lag-1 autocorrelation, mean, nights) of the usable nights (a diary, no magnesium)."""
    nights = sorted(values)
    n = len(nights)
    if n < 2:
        return 0.0, 0.0, 0.0, n
    xs = [values[d] for d in nights]
    mean = statistics.fmean(xs)
    sd = statistics.stdev(xs)
    # Lag-1 correlation over pairs of consecutive calendar nights, both usable.
    pairs = [(values[a], values[b]) for a, b in zip(nights, nights[1:]) if (b - a).days == 1]
    rho = 0.0
    if len(pairs) >= 5 and sd > 0:
        rho = sum((a - mean) * (b - mean) for a, b in pairs) / len(pairs) / (sd * sd)
    return sd, max(0.0, min(0.8, rho)), mean, n


def usable_nights(points: Sequence[NightPoint], outcome: str) -> tuple[dict[date, float], float | None]:
    """The outcome on the nights without magnesium of the last year of the diary, and the share
    of calendar nights in that year without a diary (None without any)."""
    if not points:
        return {}, None
    last = max(p.night for p in points)
    recent = [p for p in points if (last - p.night).days < YEAR_NIGHTS]
    span = (last - min(p.night for p in recent)).days + 1
    metric = OUTCOMES[outcome]
    # A night without the outcome (a tracker's night not completed) is a missing night, never a 0.
    given = {p.night: value for p in recent if not p.on_magnesium and (value := getattr(p, metric)) is not None}
    return given, 1 - len([p for p in recent if getattr(p, metric) is not None]) / span


def noise_model(outcome: str, values: Mapping[date, float],
                missing: float | None = None) -> tuple[NoiseModel, str, int]:
    """The simulation's noise from the person's usable nights, or the assumed one; with its basis."""
    sd, rho, mean, n = measure(values)
    skewed = outcome == "sol"
    if n < MIN_MEASURED or sd <= 0:
        a_sd, a_rho, a_mean = ASSUMED[outcome]
        return NoiseModel(a_sd, a_rho, a_mean, ASSUMED_MISSING, skewed=skewed), "assumed", n
    low, high = MISSING_RANGE
    share = ASSUMED_MISSING if missing is None else min(high, max(low, missing))
    # A skewed model needs a positive mean; a diary of near-zero latencies is given a floor.
    return NoiseModel(sd, rho, max(mean, 5.0) if skewed else mean, share, skewed=skewed), "your nights", n


def _nights(rng: random.Random, model: NoiseModel, length: int) -> tuple[list[float], list[float], list[int]]:
    """One simulated series, as prefix sums over the nights with a diary: of the values magnesium
    acts on, of what it does not touch (the weekend bump and drift), and of the count."""
    gauss, uniform = rng.gauss, rng.random
    keep = math.sqrt(1 - model.rho ** 2)
    if model.tails == "t3":
        # Student t with 3 df (a normal over the root of chi-square(3) / 3): heavy tails.
        shocks = [keep * gauss(0.0, 1.0) / math.sqrt(rng.gammavariate(1.5, 2.0)) for _ in range(length)]
    else:
        shocks = [keep * gauss(0.0, 1.0) for _ in range(length)]
    shocks[0] = gauss(0.0, 1.0)  # the series starts stationary
    rho = model.rho
    z = accumulate(shocks, lambda prev, e: rho * prev + e)
    if model.skewed:
        s2 = math.log(1 + (model.sd / model.mean) ** 2)
        mu, s = math.log(model.mean) - s2 / 2, math.sqrt(s2)
        values = [math.exp(mu + s * v) for v in z]
    else:
        values = [model.mean + model.sd * v for v in z]
    present = [1 if uniform() >= model.missing else 0 for _ in range(length)]
    extra = [0.0] * length
    if model.weekend:
        first = rng.randrange(7)
        extra = [model.weekend if (i + first) % 7 in (4, 5) else 0.0 for i in range(length)]
    if model.drift:
        extra = [x + model.drift * i for i, x in enumerate(extra)]
    return (list(accumulate(map(mul, values, present), initial=0.0)),
            list(accumulate(map(mul, extra, present), initial=0.0)), list(accumulate(present, initial=0)))


@lru_cache(maxsize=4)
def _simulated(model: NoiseModel, runs: int, length: int,
               seed: int) -> tuple[tuple[list[float], list[float], list[int]], ...]:
    rng = random.Random(seed)
    return tuple(_nights(rng, model, length) for _ in range(runs))


def power_by_pairs(model: NoiseModel, effect: float, higher_is_better: bool, *, period: int, washout: int,
                   max_pairs: int, baseline: int = BASELINE, runs: int = RUNS, seed: int = SEED,
                   nights: int = 0) -> list[float]:
    """Power of 1..max_pairs pairs of `period`-night periods (index 0: one pair), from one pass;
    `nights` lengthens the simulated series so calls for several period lengths share them."""
    sims = _simulated(model, runs, max(baseline + 2 * period * max_pairs, nights), seed)
    order_rng = random.Random(seed + period)
    sign = 1.0 if higher_is_better else -1.0
    # Proportional for a skewed outcome (improving = shrinking towards zero), else a shift.
    factor = max(0.05, 1 - effect / model.mean) if model.skewed else 1.0
    shift = 0.0 if model.skewed else sign * effect
    tq = [t_quantile(k - 1) if k >= 2 else math.inf for k in range(max_pairs + 1)]
    hits = [0] * (max_pairs + 1)
    for sums, extras, counts in sims:
        total = squares = 0.0
        k = 0
        flips = order_rng.getrandbits(max_pairs)
        for pair in range(max_pairs):
            start = baseline + 2 * period * pair
            a0, a1 = start + washout, start + period
            b0, b1 = a1 + washout, a1 + period
            ca, cb = counts[a1] - counts[a0], counts[b1] - counts[b0]
            if ca >= MIN_COUNTED and cb >= MIN_COUNTED:
                ma, mb = (sums[a1] - sums[a0]) / ca, (sums[b1] - sums[b0]) / cb
                xa, xb = (extras[a1] - extras[a0]) / ca, (extras[b1] - extras[b0]) / cb
                # d is always the on period minus the other; the order only decides which slot is on.
                d = (ma * factor + shift - mb) if flips >> pair & 1 else (mb * factor + shift - ma)
                d += (xa - xb) if flips >> pair & 1 else (xb - xa)
                total += d
                squares += d * d
                k += 1
            if k >= 3:
                mean = total / k
                var = (squares - k * mean * mean) / (k - 1)
                half = tq[k] * math.sqrt(var / k) if var > 0 else 0.0
                if half > 0 and sign * mean - half > 0:
                    hits[pair + 1] += 1
    return [h / runs for h in hits[1:]]


def recommend(outcome: str = "sol", effect: float | None = None, values: Mapping[date, float] | None = None,
              missing: float | None = None, *, runs: int = RUNS, seed: int = SEED,
              model: NoiseModel | None = None) -> Sizing:
    """The shortest plan with at least 6 pairs that finds `effect` with 80% power under a year
    (or the most powerful under a year), with shorter alternatives. `values` are the person's
    usable nights (a diary, no magnesium: run-in and earlier nights) as night: outcome, `missing`
    the share of nights without a diary (`usable_nights` gives both); `model` overrides them."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    effect = DEFAULT_EFFECT[outcome] if effect is None else effect
    if model is None:
        model, basis, used = noise_model(outcome, values or {}, missing)
    else:
        basis, used = "your nights", 0
    higher = METRICS_BY_KEY[OUTCOMES[outcome]].higher_is_better
    plans: list[PlanPower] = []
    for period in PERIODS:
        max_pairs = (YEAR_NIGHTS - BASELINE) // (2 * period)
        washout = min(WASHOUT, period - MIN_COUNTED)
        powers = power_by_pairs(model, effect, higher, period=period, washout=washout, max_pairs=max_pairs,
                                runs=runs, seed=seed, nights=YEAR_NIGHTS)
        plans += [PlanPower(BASELINE, period, k, washout, powers[k - 1]) for k in range(3, max_pairs + 1)]
    eligible = [p for p in plans if p.pairs >= MIN_RECOMMENDED_PAIRS]
    reaching = [p for p in eligible if p.power >= TARGET]
    if reaching:
        best = min(reaching, key=lambda p: (p.nights, -p.power))
    else:
        best = max(eligible, key=lambda p: (round(p.power, 2), -p.nights))
    return Sizing(outcome, effect, model.sd, model.rho, model.mean, model.missing, used, basis, best,
                  tuple(_alternatives(plans, best)), bool(reaching))


def _alternatives(plans: Sequence[PlanPower], best: PlanPower) -> list[PlanPower]:
    """Shorter plans: for each period length the longest plan shorter than the recommendation,
    and today's old default (4 x 14), shortest first."""
    out: list[PlanPower] = []
    for period in PERIODS:
        shorter = [p for p in plans if p.period_nights == period and p.nights < best.nights]
        if shorter:
            out.append(max(shorter, key=lambda p: p.nights))
    default = next((p for p in plans if (p.period_nights, p.pairs) == (14, 4)), None)
    if default is not None and default.nights < best.nights and default not in out:
        out.append(default)
    return sorted(out, key=lambda p: (p.nights, -p.power))


def plan_power(model: NoiseModel, effect: float, higher_is_better: bool, *, baseline: int, period: int,
               pairs: int, washout: int, runs: int = 400, seed: int = SEED) -> float:
    """The power of one plan under `model` for `effect`."""
    return power_by_pairs(model, effect, higher_is_better, period=period, washout=washout, max_pairs=pairs,
                          baseline=baseline, runs=runs, seed=seed)[pairs - 1]
