"""`magsleep trial plan`: a trial sized by simulation from the person's own nights, end to end
through the real command and a real SQLite file."""

from __future__ import annotations

import json
import statistics
from datetime import timedelta

import pytest

from magsleep import local_time
from magsleep.domain.nights import last_night

KEYS = {"baseline_nights", "period_nights", "pairs", "washout_nights", "weeks", "power"}
LATENCIES = [12, 35, 20, 48, 15, 30, 25, 60, 18, 22, 40, 28, 16, 55, 33, 19, 44, 26]


def test_with_no_nights_the_numbers_are_assumed_and_said_so(run):
    run("dose", "100")
    data = json.loads(run("trial", "plan", "--json").stdout)
    assert {k: data[k] for k in ("outcome", "effect", "sd", "rho", "nights_used", "basis")} == {
        "outcome": "sol", "effect": 15.0, "sd": 25.0, "rho": 0.3, "nights_used": 0, "basis": "assumed"}
    assert set(data["recommended"]) == KEYS and all(set(a) == KEYS for a in data["alternatives"])
    assert data["recommended"]["pairs"] >= 6 and data["recommended"]["power"] >= 0.8
    words = run("trial", "plan").stdout.splitlines()
    assert words[0].startswith("Assumed (fewer than 14 nights without magnesium with a diary, you have 0)")


def test_your_own_nights_size_the_plan(run):
    last = last_night(local_time.now())
    for i, latency in enumerate(LATENCIES):
        night = last - timedelta(days=len(LATENCIES) - 1 - i)
        logged = run("sleep", "--night", night.isoformat(), "--bed", "23:00", "--latency", str(latency),
                     "--final", "06:30", "--up", "07:00", "--quality", "3")
        assert logged.exit_code == 0, logged.output
    data = json.loads(run("trial", "plan", "--json", "--effect", "20").stdout)
    assert data["basis"] == "your nights" and data["nights_used"] == len(LATENCIES) and data["effect"] == 20
    assert data["sd"] == pytest.approx(statistics.stdev(LATENCIES), abs=0.01)
    text = run("trial", "plan", "--effect", "20").stdout
    assert text.startswith(f"From {len(LATENCIES)} of your nights without magnesium: nightly SD "
                           f"{statistics.stdev(LATENCIES):.1f} min")
    assert "weeks, power" in text
    # Nights on magnesium are not part of the measure.
    run("dose", "200", "--at", f"{last}T21:00")
    assert json.loads(run("trial", "plan", "--json").stdout)["nights_used"] == len(LATENCIES) - 1


def test_a_small_effect_that_needs_more_than_a_year_is_said_plainly(run):
    run("dose", "100")
    result = run("trial", "plan", "--effect", "3")
    assert result.exit_code == 0
    assert "would take more than a year. The best plan under a year:" in result.stdout


@pytest.mark.parametrize("args,message", [(["--effect", "x"], "--effect: 'x' is not a number"),
                                          (["--effect", "0"], "--effect: must be more than 0"),
                                          (["--outcome", "mood"], "--outcome: must be one of sol, se, tst, quality")])
def test_bad_options_exit_2_with_one_line(run, args, message):
    run("dose", "100")
    result = run("trial", "plan", *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_insights_json_says_a_diary_comparison_is_an_association(run):
    run("demo", "--nights", "60")
    data = json.loads(run("insights", "--json").stdout)
    assert data["magnesium_effect"]["basis"] == "diary" and data["magnesium_effect"]["claim"] == "association"


@pytest.mark.parametrize("days_ago,words,direction", [
    (45, "Interim: 1 of 4 pairs done; no conclusion until", "interim"),  # one usable pair: used to crash
    (140, "4 of 4 pairs done", None),  # finished: a call, or "no clear difference" with its power
])
def test_a_trial_in_progress_and_finished_through_every_command(run, db_path, days_ago, words, direction):
    from magsleep.domain.n_of_1 import make_plan
    from magsleep.store.engine import Store
    from magsleep.store.trials import add_trial

    run("demo", "--nights", "150")
    tonight = last_night(local_time.now()) + timedelta(days=1)
    start = tonight - timedelta(days=days_ago)
    db = Store.open(db_path)
    with db.writing() as session:
        add_trial(make_plan(start, f"{start}T20:00:00+00:00", draw=lambda orders: orders[0]), start, session=session)
    db.close()
    status = run("trial", "status")
    assert status.exit_code == 0 and words in status.stdout, status.output
    data = run("insights", "--json")
    assert data.exit_code == 0, data.output
    trial = json.loads(data.stdout)["randomised_trial"]
    assert trial["direction"] == direction if direction else trial["direction"] in ("better", "worse", "unclear")
    assert "p_randomization" not in trial["per_protocol"]
    insights = run("insights")
    assert insights.exit_code == 0 and "Traceback" not in insights.output
    report = run("report")
    assert report.exit_code == 0 and words in report.stdout
