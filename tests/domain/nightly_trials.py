"""Simulated diaries of a randomised trial, night by night, with the noise of issue 18: log-normal
time to fall asleep (nightly SD 15-30 min), AR(1) correlation, Student t3 tails, a weekend bump,
missing nights, drift, an effect that builds and fades over `carry` nights, and deviations.

Written apart from domain/trial_sizing.py on purpose: the sizing's power is checked against trials
that go through the real `n_of_1.analyse`, night by night.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from magsleep.domain.n_of_1 import NightData, TrialPlan, analyse, make_plan

START = date(2026, 1, 5)  # a Monday


@dataclass(frozen=True)
class Nights:
    """How a person's nights vary, and what magnesium does (`effect` minutes shorter, in
    proportion, once fully built)."""

    sd: float
    rho: float = 0.3
    mean: float = 50.0
    missing: float = 0.1
    weekend: float = 0.0
    tails: str = "normal"
    drift: float = 0.0
    carry: int = 7
    effect: float = 0.0


# The columns of the table (carryover 7 everywhere).
MODEL_A = Nights(sd=15, missing=0.10)
MODEL_B = Nights(sd=25, weekend=10, missing=0.25)
MODEL_C = Nights(sd=25, rho=0.6, weekend=10, missing=0.25, tails="t3", drift=0.1)
MODELS = {"A: SD 15": MODEL_A, "B: SD 25, weekend, 25% missing": MODEL_B, "C: + rho .6, t3, drift": MODEL_C}


def diary(rng: random.Random, plan: TrialPlan, m: Nights, *, expects: bool = False) -> dict[date, NightData]:
    """Every night of `plan`. With `expects`, the person takes magnesium on an off night when they
    expect a bad one (yesterday was long): a deviation that follows the outcome."""
    s2 = math.log(1 + (m.sd / m.mean) ** 2)
    mu, s = math.log(m.mean) - s2 / 2, math.sqrt(s2)
    keep = math.sqrt(1 - m.rho ** 2)
    z, level, previous = rng.gauss(0, 1), 0.0, m.mean
    data = {}
    for i, night in enumerate(plan.schedule()):
        on = night.phase == "on"
        step = 1 / m.carry if m.carry else 1.0
        level = min(1.0, level + step) if on else max(0.0, level - step)
        shock = rng.gauss(0, 1)
        if m.tails == "t3":
            shock /= math.sqrt(rng.gammavariate(1.5, 2.0))
        z = m.rho * z + keep * shock
        value = math.exp(mu + s * z) * (1 - m.effect / m.mean * level)
        if night.night.weekday() in (4, 5):
            value += m.weekend
        value += m.drift * i
        dosed = on or (expects and previous > m.mean + m.sd / 2)
        previous = value
        data[night.night] = NightData(max(0.0, value) if rng.random() >= m.missing else None, dosed)
    return data


def trial(rng: random.Random, m: Nights, *, period: int = 14, pairs: int = 4, washout: int = 7,
          baseline: int = 14) -> tuple[TrialPlan, dict[date, NightData]]:
    plan = make_plan(START, "2026-01-04T20:00:00+00:00", baseline=baseline, period=period, pairs=pairs,
                     washout=washout, draw=rng.choice)
    return plan, diary(rng, plan, m)


def call_rate(runs: int, m: Nights, seed: int, **shape: int) -> float:
    """The share of trials whose end-of-trial call is "better" (for a real effect) or any call
    (without one)."""
    rng = random.Random(seed)
    wanted = ("better",) if m.effect else ("better", "worse")
    hits = 0
    for _ in range(runs):
        plan, data = trial(rng, m, **shape)
        hits += analyse(plan, data, plan.end).direction in wanted
    return hits / runs


def two_se(p: float, runs: int) -> float:
    return 2 * math.sqrt(p * (1 - p) / runs)
