"""The blinded trial's domain (issue 23): commitment, code and sheet checks, the exact mapping of
bags to phases, the blinding check, and the simulation proof that the blind removes the
expectation bias an open trial carries."""

from __future__ import annotations

import random
import statistics
from dataclasses import replace
from datetime import date

import pytest

from magsleep.domain import blinding
from magsleep.domain.errors import InvalidInput
from magsleep.domain.n_of_1 import NightData, analyse, make_plan
from magsleep.domain.trial_plan import check_plan, commitment, tonight_text
from tests.domain.nightly_trials import MODEL_B, START, Nights, diary, two_se

MADE = "2026-01-04T20:00:00+00:00"


def blinded_plan(rng: random.Random, blind: blinding.Blind, **shape: int):
    numbers = {"baseline": 14, "period": 14, "pairs": 4, "washout": 7, **shape}
    return make_plan(START, MADE, commitment=blind.commitment, draw=rng.choice, **numbers)


def test_the_code_round_trips_and_a_typo_is_caught():
    blind = blinding.Blind(bytes(range(16)), "B")
    assert blinding.read_code(blind.code) == blind
    assert blinding.read_code(blind.code.lower().replace("-", " ")) == blind
    for bad in (blind.code[:-1] + ("A" if blind.code[-1] != "A" else "C"), "", "12345", blind.code + "AA"):
        with pytest.raises(InvalidInput):
            blinding.read_code(bad)


def test_the_commitment_binds_salt_and_mapping_and_the_fingerprint_covers_it():
    salt = bytes(16)
    assert commitment(salt, "A") != commitment(salt, "B") != commitment(bytes([1]) + salt[1:], "B")
    rng = random.Random(1)
    plan = blinded_plan(rng, blinding.Blind(salt, "A"))
    other = replace(plan, commitment=commitment(salt, "B"))
    assert plan.fingerprint != other.fingerprint
    # An open plan's fingerprint is as it always was (no blinded fields in its canonical form).
    open_plan = make_plan(START, MADE, draw=lambda orders: orders[0])
    assert "blinded" not in open_plan.canonical() and "commitment" not in open_plan.canonical()


def test_unblinding_maps_phases_exactly_and_is_checked_against_the_commitment():
    rng = random.Random(7)
    blind = blinding.draw_blind()
    plan = blinded_plan(rng, blind)
    sealed = plan.schedule()
    assert {s.phase for s in sealed} == {"baseline", "A", "B"}
    assert all(plan.night(s.night) == s for s in sealed)
    tonight = tonight_text(plan, sealed[20].night)
    assert "bag" in tonight and "magnesium period" not in tonight
    opened = blinding.unblind(plan, blind, "2026-05-20T08:00:00+00:00")
    check_plan(opened)
    assert opened.fingerprint == plan.fingerprint  # the plan as drawn is unchanged
    for before, after in zip(sealed, opened.schedule()):
        expected = before.phase if before.phase == "baseline" else ("on" if before.phase == blind.magnesium_bag
                                                                    else "off")
        assert after.phase == expected and opened.night(after.night) == after
        assert blinding.bag_of(opened, after.night) == (None if before.phase == "baseline" else before.phase)
    assert not opened.unblinded_early
    wrong = blinding.Blind(blind.salt, "B" if blind.magnesium_bag == "A" else "A")
    with pytest.raises(InvalidInput):
        blinding.unblind(plan, wrong, "2026-05-20T08:00:00+00:00")
    with pytest.raises(InvalidInput):  # a stored unblinding that does not match is a damaged plan
        check_plan(replace(opened, magnesium_bag=wrong.magnesium_bag))
    with pytest.raises(InvalidInput):
        blinding.unblind(opened, blind, "2026-05-21T08:00:00+00:00")  # once


def test_the_sheet_is_refused_when_edited_or_for_another_plan():
    rng = random.Random(3)
    blind = blinding.draw_blind()
    plan = blinded_plan(rng, blind)
    text = blinding.sheet_text(plan, blind)
    assert blinding.read_sheet(text, plan) == blind
    assert blinding.read_sheet(text.replace("\n", "\r\n") + "\n\n", plan) == blind  # printed/rescanned line ends
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        edited = "\n".join(lines[:i] + [line.replace("a", "e", 1) if "a" in line else line + "x"] + lines[i + 1:])
        with pytest.raises(InvalidInput):
            blinding.read_sheet(edited, plan)
    another = blinded_plan(random.Random(3), blinding.draw_blind())
    with pytest.raises(InvalidInput):
        blinding.read_sheet(blinding.sheet_text(another, blinding.draw_blind()), plan)


def test_labels_for_the_calendar_report_and_dashboard():
    blind = blinding.Blind(bytes(16), "A")
    plan = blinded_plan(random.Random(5), blind, baseline=2)
    first_bag = plan.orders[0][0]
    assert blinding.night_label(plan, START) == "Baseline (trial, no bag)"
    assert blinding.night_label(plan, date(2026, 1, 7)) == f"Bag {first_bag} (trial)"
    assert blinding.night_label(plan, date(2025, 1, 7)) is None
    opened = blinding.unblind(plan, blind, "2026-05-20T08:00:00+00:00")
    assert blinding.night_label(opened, date(2026, 1, 7)) == (
        f"Bag {first_bag} (trial, {'magnesium' if first_bag == 'A' else 'no magnesium'})")
    assert blinding.bag_item_label("B") == "Bag B tonight (trial)" and blinding.bag_item_label("on") is None


def test_guesses_count_only_after_unblinding_with_a_wilson_interval():
    blind = blinding.Blind(bytes(16), "A")
    plan = blinded_plan(random.Random(5), blind, baseline=0, period=4, pairs=3, washout=0)
    nights = plan.schedule()
    guesses = {s.night: s.phase for s in nights[:10]} | {nights[10].night: "A" if nights[10].phase == "B" else "B"}
    assert blinding.guess_check(plan, guesses) is None  # sealed: never shown
    check = blinding.guess_check(blinding.unblind(plan, blind, "2026-02-01T08:00:00+00:00"), guesses)
    assert check is not None and (check.guesses, check.correct) == (11, 10)
    assert check.ci_low == pytest.approx(0.6226, abs=1e-3) and check.ci_high == pytest.approx(0.9838, abs=1e-3)
    assert blinding.wilson(0, 5)[0] == 0 and blinding.wilson(5, 5)[1] == 1


# ---------------------------------------------------------------- the simulation proof

EXPECTATION = 10.0
"""Minutes faster to fall asleep on a night the person believes they took magnesium."""


def one_person(rng: random.Random, m: Nights, *, blind: bool) -> tuple[float | None, str]:
    """One simulated trial (4 pairs of 14 nights, washout 7, baseline 14) on a person whose
    latency drops EXPECTATION minutes on nights they believe they took magnesium. Open: they know.
    Blinded: they take a bag every night and believe by a coin (the blind holds); the blinded plan
    goes through the real path: drawn with a commitment, unblinded, then `analyse_blinded`."""
    if blind:
        secret = blinding.draw_blind()
        plan = blinding.unblind(blinded_plan(rng, secret), secret, "2026-06-01T08:00:00+00:00")
    else:
        plan = make_plan(START, MADE, baseline=14, period=14, pairs=4, washout=7, draw=rng.choice)
    data = diary(rng, plan, m)  # the real effect, built over `carry` nights on "on" periods
    nights = {}
    for s in plan.schedule():
        d = data[s.night]
        believes = (s.phase == "on") if not blind else (s.pair is not None and rng.random() < 0.5)
        value = None if d.value is None else max(0.0, d.value - EXPECTATION * believes)
        nights[s.night] = NightData(value, s.pair is not None if blind else d.dosed)
    if blind:
        result = blinding.analyse_blinded(plan, nights, plan.end, {}).unblinded
        assert result is not None
    else:
        result = analyse(plan, nights, plan.end)
    return result.as_randomised.estimate, result.direction


def simulate(runs: int, effect: float, seed: int) -> dict[str, tuple[float, float]]:
    """Mean estimate and share of calls ("better" or "worse"), open and blinded, on the same person."""
    rng = random.Random(seed)
    m = replace(MODEL_B, effect=effect)
    out = {}
    for name, blind in (("open", False), ("blinded", True)):
        results = [one_person(rng, m, blind=blind) for _ in range(runs)]
        estimates = [e for e, _ in results if e is not None]
        calls = sum(1 for _, d in results if d in ("better", "worse")) / runs
        out[name] = (statistics.fmean(estimates), calls)
    return out


def _check(runs: int, seed: int) -> None:
    null = simulate(runs, 0.0, seed)
    # No real effect: the blinded call is calibrated like an open trial without expectation...
    assert null["blinded"][1] <= 0.05 + two_se(0.05, runs), null
    assert abs(null["blinded"][0]) < 3.0, null
    # ...while the open trial on the same person reads the expectation as an effect.
    assert null["open"][0] == pytest.approx(-EXPECTATION, abs=3.0), null
    assert null["open"][1] > 0.05 + two_se(0.05, runs), null
    real = simulate(runs, 15.0, seed + 1)
    # A real 15-minute effect (built over a week; the analytic washout keeps most of it): the open
    # trial adds the 10 minutes of expectation, the blinded one does not.
    assert real["open"][0] - real["blinded"][0] == pytest.approx(-EXPECTATION, abs=4.0), real
    assert real["blinded"][0] < -8.0, real


def test_the_blind_removes_the_expectation_bias_short():
    _check(250, 2301)


@pytest.mark.long
def test_the_blind_removes_the_expectation_bias_full():
    _check(2000, 2302)
