"""The comparisons and the verdict: exact small cases, and a simulation that proves the intervals honest."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from magsleep.domain.comparison import (
    MIN_NIGHTS,
    all_comparisons,
    compare,
    verdict,
)
from magsleep.domain.first_weeks import first_weeks_progress, professional_advice
from magsleep.domain.trend import NightPoint

START = date(2026, 1, 1)


def points(se_values, on_flags):
    return [NightPoint(START + timedelta(days=i), se, 420, 20, 3, 200 if on else 0)
            for i, (se, on) in enumerate(zip(se_values, on_flags))]


def test_known_means_and_difference():
    c = compare([80, 82, 84, 90, 92, 94] * 3, [False, False, False, True, True, True] * 3, "se_pct", "on_off")
    assert (c.mean_a, c.mean_b, c.diff, c.n_a, c.n_b) == (92, 82, 10, 9, 9)
    assert c.ci_low < 10 < c.ci_high and c.direction == "better"


def test_same_data_same_answer():
    rng = random.Random(1)
    values = [rng.gauss(85, 5) for _ in range(40)]
    flags = [i % 3 != 0 for i in range(40)]
    assert compare(values, flags, "se_pct", "on_off") == compare(values, flags, "se_pct", "on_off")


def one(pts, start, kind, metric="se_pct"):
    """The comparison the app shows for `metric` (all_comparisons is the one path the app takes)."""
    return next(c for c in all_comparisons(pts, start) if c.metric == metric and c.kind == kind)


def test_fewer_than_seven_nights_in_a_group_is_too_few():
    pts = points([85] * 6 + [90] * 20, [False] * 6 + [True] * 20)
    c = one(pts, None, "on_off")
    assert c.ci_low is None and c.direction == "too few"
    text = verdict(all_comparisons(pts, START + timedelta(days=6)))
    assert text.startswith(f"Too few nights to tell yet (need at least {MIN_NIGHTS} with and {MIN_NIGHTS} without")


def test_all_nights_on_magnesium_still_compares_before_and_after():
    rng = random.Random(3)
    pts = points([rng.gauss(80, 2) for _ in range(14)] + [rng.gauss(88, 2) for _ in range(20)], [True] * 34)
    assert one(pts, None, "on_off").n_b == 0 and one(pts, None, "on_off").diff is None
    # With no nights off, the baseline is the nights before a start date the person set.
    ba = one(pts, START + timedelta(days=14), "before_after")
    assert (ba.n_a, ba.n_b) == (20, 14) and ba.direction == "better"
    text = verdict(all_comparisons(pts, START + timedelta(days=14)))
    assert text.startswith("Higher since starting magnesium: +") and "20 vs 14 nights" in text
    assert "an association" in text and "Better" not in text


def test_lower_time_to_fall_asleep_counts_as_better():
    c = compare([30, 32, 28, 31, 29, 30, 33] + [15, 14, 16, 15, 13, 17, 15],
                [False] * 7 + [True] * 7, "sol_min", "on_off")
    assert c.diff < 0 and c.direction == "better"


def test_verdict_words():
    flat = points([85 + (i % 5) for i in range(40)], [i % 2 == 0 for i in range(40)])
    assert verdict(all_comparisons(flat, None)).startswith("No clear difference so far")
    worse = points([90, 91, 89, 90] * 5 + [80, 81, 79, 80] * 5, [False] * 20 + [True] * 20)
    assert verdict(all_comparisons(worse, None)).startswith(
        "Lower on magnesium nights: -10.0 points sleep efficiency (95% CI")
    assert "an association" in verdict(all_comparisons(worse, None))


def test_first_weeks_progress_consistency_streaks_and_jumps():
    doses = {START + timedelta(days=i): 100.0 for i in range(0, 7)}
    doses.update({START + timedelta(days=i): 200.0 for i in range(8, 14)})
    t = first_weeks_progress(doses, None, 28, START + timedelta(days=13))
    assert (t.start, t.nights_done, t.nights_with_dose) == (START, 14, 13)
    assert (t.current_streak, t.longest_streak, t.jumped, t.finished) == (6, 7, True, False)
    assert "First weeks: night 14 of 28" in t.progress_text()
    gentle = {START + timedelta(days=i): 100.0 + 10 * (i // 7) for i in range(28)}
    done = first_weeks_progress(gentle, None, 28, START + timedelta(days=40))
    assert done.finished and not done.jumped and done.consistency == 1.0


def test_when_to_see_a_professional():
    t = first_weeks_progress({START + timedelta(days=i): 200.0 for i in range(28)}, None, 28,
                             START + timedelta(days=45))
    pts = points([80] * 46, [True] * 28 + [False] * 18)
    advice = professional_advice(pts, side_effect_nights=3, nights_over_limit=2, first_weeks=t, improved=False)
    assert len(advice) == 4 and all("healthcare professional" in a for a in advice)
    assert professional_advice(pts[:5], side_effect_nights=2, nights_over_limit=0,
                               first_weeks=first_weeks_progress({}, None, 28, START), improved=False) == []


# ---------------------------------------------------------------- simulation


def simulate(seed: int, effect: float, nights: int = 60, rho: float = 0.3, baseline: int = 20):
    """Sleep efficiency with AR(1) noise (sd 4 points) and a known effect on magnesium nights."""
    rng = random.Random(seed)
    noise, values, flags = 0.0, [], []
    for i in range(nights):
        noise = rho * noise + rng.gauss(0, 4 * (1 - rho**2) ** 0.5)
        on = i >= baseline and rng.random() < 0.8
        values.append(85 + noise + (effect if on else 0))
        flags.append(on)
    return values, flags


def coverage(runs: int, effect: float) -> tuple[float, float]:
    covered = called = 0
    for seed in range(runs):
        values, flags = simulate(seed, effect)
        c = compare(values, flags, "se_pct", "on_off")
        covered += c.ci_low <= effect <= c.ci_high
        called += c.direction in ("better", "worse")
    return covered / runs, called / runs


@pytest.mark.parametrize("effect", [0.0, 3.0])
def test_intervals_cover_the_true_effect_about_95_percent(effect):
    cover, called = coverage(400, effect)
    assert 0.91 <= cover <= 0.98, cover
    if effect == 0.0:
        assert called <= 0.07, called


@pytest.mark.long
@pytest.mark.parametrize("effect", [0.0, 3.0, -2.0])
def test_intervals_cover_over_many_more_runs(effect):
    cover, called = coverage(2000, effect)
    assert 0.91 <= cover <= 0.98, cover
    if effect == 0.0:
        assert called <= 0.07, called


def test_a_night_counts_only_for_the_metrics_it_gives():
    """A tracker's night not completed (quality unknown) counts for efficiency but is never a 0
    for quality: the quality comparison has only the nights that give it, and the efficiency one
    is the same as when every night gave quality too."""
    from dataclasses import replace

    full = points([80 + (i % 5) for i in range(40)], [i % 2 == 0 for i in range(40)])
    gapped = [replace(p, quality=None) if i % 4 == 0 else p for i, p in enumerate(full)]
    by = {(c.metric, c.kind): c for c in all_comparisons(gapped, START + timedelta(days=20))}
    assert by["quality", "on_off"].n_a + by["quality", "on_off"].n_b == 30
    assert by["se_pct", "on_off"].n_a + by["se_pct", "on_off"].n_b == 40
    reference = {(c.metric, c.kind): c for c in all_comparisons(full, START + timedelta(days=20))}
    assert by["se_pct", "on_off"] == reference["se_pct", "on_off"]
    assert by["se_pct", "before_after"] == reference["se_pct", "before_after"]


def test_a_partial_night_gives_what_its_parts_give():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from magsleep.domain.trend import PartialNight, partial_point

    tz = ZoneInfo("Europe/London")
    bed, final, up = (datetime(2026, 1, 1, 23, 0, tzinfo=tz), datetime(2026, 1, 2, 6, 30, tzinfo=tz),
                      datetime(2026, 1, 2, 7, 0, tzinfo=tz))
    fitbit = partial_point(START, PartialNight(bed, bed, 15, 20, final, up, None), 0.0)
    assert fitbit is not None and (fitbit.sol_min, fitbit.tst_min, fitbit.quality) == (15, 450 - 15 - 20, None)
    assert fitbit.se_pct == round(100 * (450 - 35) / 480, 1) and fitbit.span is not None
    plees = partial_point(START, PartialNight(bed, bed, None, None, final, None, 4), 0.0)
    assert plees is not None and (plees.sol_min, plees.tst_min, plees.se_pct, plees.quality) == (None, None, None, 4)
    assert partial_point(START, PartialNight(bed, bed, None, None, final, None, None), 0.0) is None
    # parts that disagree give no total sleep rather than a wrong one
    odd = partial_point(START, PartialNight(bed, bed, 15, 600, final, up, None), 0.0)
    assert odd is not None and odd.tst_min is None and odd.se_pct is None
