"""The randomised trial: the plan, its schedule and fingerprint, and its analysis checked by
simulation (AR(1) noise, drift, carryover that builds over 4 nights and fades over 4)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from magsleep.domain.errors import InvalidInput
from magsleep.domain.n_of_1 import NightData, analyse, estimate, make_plan, tonight_text

START = date(2026, 1, 1)


def plan(**kw):
    orders = iter(kw.pop("orders", ["on-off", "off-on", "off-on", "on-off"]))
    return make_plan(START, "2025-12-31T20:00:00+00:00", draw=lambda _: next(orders), **kw)


def test_schedule_follows_the_plan():
    p = plan()
    nights = p.schedule()
    assert len(nights) == 14 + 4 * 2 * 14
    assert nights[0].phase == "baseline" and not nights[0].counts
    first_period = nights[14:28]
    assert {n.phase for n in first_period} == {"on"} and {n.pair for n in first_period} == {1}
    assert [n.counts for n in first_period] == [False] * 7 + [True] * 7
    assert {n.phase for n in nights[28:42]} == {"off"}
    assert {n.phase for n in nights[42:56]} == {"off"}  # pair 2 is off-on
    assert p.end == nights[-1].night
    for n in nights:
        assert p.night(n.night) == n
    assert p.night(START - timedelta(days=1)) is None and p.night(p.end + timedelta(days=1)) is None


def test_fingerprint_covers_the_plan_not_the_stop():
    p = plan()
    assert len(p.fingerprint) == 64
    assert plan().fingerprint == p.fingerprint
    assert plan(orders=["off-on", "off-on", "off-on", "on-off"]).fingerprint != p.fingerprint
    from dataclasses import replace

    assert replace(p, stopped_at="2026-02-01T08:00:00+00:00").fingerprint == p.fingerprint


def test_orders_are_drawn_with_secrets_by_default():
    drawn = {make_plan(START, "2025-12-31T20:00:00+00:00", pairs=12).orders for _ in range(5)}
    assert len(drawn) > 1 and all(set(o) <= {"on-off", "off-on"} for o in drawn)


@pytest.mark.parametrize("kw,field", [({"period": 3}, "--period"), ({"pairs": 1}, "--pairs"),
                                      ({"washout": 11}, "--washout"), ({"baseline": -1}, "--baseline"),
                                      ({"outcome": "mood"}, "--outcome")])
def test_bad_plan_numbers(kw, field):
    with pytest.raises(InvalidInput) as err:
        plan(**kw)
    assert err.value.field == field


def test_tonight_text():
    p = plan()
    assert "baseline night 1 of 14" in tonight_text(p, START)
    assert tonight_text(p, START + timedelta(days=22)).endswith(
        "pair 1 of 4 · magnesium period, night 9 of 14: take your usual dose tonight.")  # counted: no note
    off = tonight_text(p, START + timedelta(days=28))
    assert "no magnesium tonight" in off and "not counted" in off and "washout" not in off


def test_estimate_worked_example():
    e = estimate([-10.0, -14.0, -6.0, -10.0])
    assert e.estimate == pytest.approx(-10.0)
    # sd 3.266, t(3) 3.182: half-width 5.197
    assert e.ci_low == pytest.approx(-15.197, abs=0.01) and e.ci_high == pytest.approx(-4.803, abs=0.01)
    assert e.p_randomization == pytest.approx(0.125)  # the smallest possible with 4 pairs


def simulate(rng: random.Random, p, *, effect: float, rho: float, drift: float, carry: bool,
             sd: float = 10.0, adherence: float = 1.0) -> dict[date, NightData]:
    """Nights of time-to-fall-asleep: AR(1) noise, a linear drift, and magnesium's effect building
    over 4 nights after a period starts and fading over 4 after it ends (when `carry`)."""
    data = {}
    noise, level = 0.0, 0.0
    innovation = sd * (1 - rho ** 2) ** 0.5
    for i, s in enumerate(p.schedule()):
        on = s.phase == "on"
        if carry:
            level = min(1.0, level + 0.25) if on else max(0.0, level - 0.25)
        else:
            level = 1.0 if on else 0.0
        noise = rho * noise + rng.gauss(0, innovation)
        value = 60 + drift * i + effect * level + noise
        dosed = on if rng.random() < adherence else not on
        data[s.night] = NightData(max(0.0, value), dosed)
    return data


def run_trials(runs: int, *, effect: float, rho: float, drift: float, carry: bool, seed: int = 1):
    rng = random.Random(seed)
    calls = covered = 0
    for _ in range(runs):
        p = make_plan(START, "2025-12-31T20:00:00+00:00", draw=rng.choice)
        result = analyse(p, simulate(rng, p, effect=effect, rho=rho, drift=drift, carry=carry), p.end)
        e = result.as_randomised
        calls += result.direction in ("better", "worse")
        covered += e.ci_low <= effect <= e.ci_high
    return calls / runs, covered / runs


CASES = [(0.3, 0.0, False), (0.6, 0.0, True), (0.3, 0.3, True), (0.6, -0.3, True)]


@pytest.mark.parametrize("rho,drift,carry", CASES)
def test_no_effect_rarely_called_and_intervals_cover(rho, drift, carry):
    calls, covered = run_trials(300, effect=0.0, rho=rho, drift=drift, carry=carry)
    assert calls <= 0.07  # 5% expected; 300 runs leave sampling room
    assert covered >= 0.92


@pytest.mark.long
@pytest.mark.parametrize("rho,drift,carry", CASES)
def test_no_effect_rarely_called_and_intervals_cover_long(rho, drift, carry):
    # 5% is the design's rate; 0.055 leaves two standard errors of 5,000 runs for chance.
    calls, covered = run_trials(5000, effect=0.0, rho=rho, drift=drift, carry=carry, seed=2)
    assert calls <= 0.055
    assert 0.93 <= covered <= 0.97
    _, covered = run_trials(2000, effect=-15.0, rho=rho, drift=drift, carry=carry, seed=3)
    assert 0.93 <= covered <= 0.97


def test_a_real_effect_is_found():
    calls, covered = run_trials(200, effect=-15.0, rho=0.3, drift=0.0, carry=True)
    assert calls >= 0.8 and covered >= 0.92


def test_interim_until_three_pairs_and_deviations_are_shown():
    p = plan()
    rng = random.Random(4)
    data = simulate(rng, p, effect=-15, rho=0.3, drift=0, carry=False, adherence=0.9)
    early = analyse(p, data, START + timedelta(days=14 + 2 * 28 - 1))
    assert early.as_randomised.pairs_complete == 2 and early.direction == "interim"
    assert "Interim: 2 of 4 pairs done" in early.text()
    final = analyse(p, data, p.end)
    assert final.as_randomised.pairs_complete == 4
    assert final.deviations and final.per_protocol.pairs_complete == 4
