"""`magsleep trial`, the insights JSON contract, and trial plans through export and import."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest

from magsleep import local_time
from magsleep.domain.nights import night_of


def tonight() -> date:
    return night_of(local_time.now())


def rows(db_path, table: str) -> int:
    if not db_path.exists():
        return 0
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("args,message", [
    (["--pairs", "1"], "--pairs: must be 2 to 12"),
    (["--pairs", "x"], "--pairs: 'x' is not a number"),
    (["--period", "3"], "--period: must be 4 to 60"),
    (["--washout", "11"], "--washout: must be 0 to 10"),
    (["--baseline", "-2"], "--baseline: must be at least 0"),
    (["--outcome", "mood"], "--outcome: must be one of sol, se, tst, quality"),
    (["--start", "2020-01-01"], "--start: 2020-01-01 is in the past"),
    (["--start", "nope"], "--start: 'nope' is not a date"),
    (["--start", "[/]\x1b"], "is not a date"),
])
def test_bad_trial_options_exit_2_with_one_line_and_write_nothing(run, db_path, args, message):
    result = run("trial", "start", *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "\x1b" not in lines[0], result.stderr
    assert not db_path.exists()


def test_start_status_stop_and_a_second_plan(run, db_path):
    made = run("trial", "start", "--pairs", "3", "--period", "10", "--washout", "3")
    assert made.exit_code == 0, made.output
    assert "Trial plan" in made.stdout and "pair 3" in made.stdout
    status = json.loads(run("trial", "status", "--json").stdout)
    plan = status["plan"]
    assert {k: plan[k] for k in ("start", "baseline_nights", "period_nights", "pairs", "washout_nights", "outcome",
                                 "stopped_at")} == {"start": tonight().isoformat(), "baseline_nights": 14,
                                                    "period_nights": 10, "pairs": 3, "washout_nights": 3,
                                                    "outcome": "sol", "stopped_at": None}
    assert len(plan["fingerprint"]) == 64 and plan["fingerprint"].startswith(plan["fingerprint_short"])
    assert len(status["schedule"]) == 14 + 3 * 2 * 10
    assert status["schedule"][0] == {"night": tonight().isoformat(), "phase": "baseline", "pair": None,
                                     "counts": False}
    assert {s["phase"] for s in status["schedule"][14:]} == {"on", "off"}
    assert status["tonight"]["phase"] == "baseline"
    # One trial at a time; the plan is never redrawn.
    again = run("trial", "start")
    assert again.exit_code == 2 and "a trial is running" in again.stderr
    assert json.loads(run("trial", "status", "--json").stdout)["plan"]["orders"] == plan["orders"]
    assert run("trial", "stop").exit_code == 0
    stopped = json.loads(run("trial", "status", "--json").stdout)["plan"]
    assert stopped["stopped_at"] and stopped["fingerprint"] == plan["fingerprint"]
    assert "Stopped" in run("trial", "status").stdout
    assert run("trial", "stop").exit_code == 2
    assert run("trial", "start", "--start", (tonight() + timedelta(days=3)).isoformat()).exit_code == 0
    assert rows(db_path, "trial") == 2  # old trials are kept


def test_status_without_a_plan(run, db_path):
    run("dose", "100")
    assert json.loads(run("trial", "status", "--json").stdout) == {"plan": None}


def test_a_tampered_plan_is_refused(run, db_path):
    run("trial", "start")
    conn = sqlite3.connect(db_path)
    orders = json.loads(conn.execute("SELECT orders FROM trial").fetchone()[0])
    orders[0] = "off-on" if orders[0] == "on-off" else "on-off"
    with conn:
        conn.execute("UPDATE trial SET orders = ?", (json.dumps(orders),))
    conn.close()
    result = run("trial", "status")
    assert result.exit_code == 2 and "no longer matches its fingerprint" in result.stderr


def test_insights_json_has_the_effect_the_trial_and_adherence(run, db_path):
    run("demo", "--nights", "60")
    data = json.loads(run("insights", "--json").stdout)
    assert data["randomised_trial"] is None
    effect = data["magnesium_effect"]
    assert effect["metric"] == "sol_min" and effect["basis"] == "diary"
    assert effect["direction"] in ("better", "worse", "unclear", "cannot tell", "too few")
    assert set(data["adherence"]) == {"Take magnesium", "Screens off an hour before bed", "Dark, cool, quiet bedroom",
                                      "Regular bedtime", "Wind-down routine", "No caffeine after midday"}
    logged = {item["nights"] for item in data["adherence"].values()}
    assert len(logged) == 1 and 50 <= logged.pop() <= 60  # every item counts every night with a diary
    for item in data["adherence"].values():
        assert set(item) == {"done", "nights"} and 0 <= item["done"] <= item["nights"]


def test_adherence_counts_unticked_items_and_doses(run, db_path):
    run("sleep", "--bed", "23:00", "--latency", "10", "--final", "06:30", "--up", "07:00", "--quality", "3")
    data = json.loads(run("insights", "--json").stdout)["adherence"]
    # One logged night, nothing ticked: every active item counts it, none done.
    assert all(v == {"done": 0, "nights": 1} for v in data.values()), data
    last = night_of(local_time.now()) - timedelta(days=1)
    run("dose", "100", "--at", f"{last}T22:00")
    data = json.loads(run("insights", "--json").stdout)["adherence"]
    assert data["Take magnesium"] == {"done": 1, "nights": 1}
    assert data["Regular bedtime"] == {"done": 0, "nights": 1}


def test_trial_plans_travel_through_json_export_and_import(run, db_path, tmp_path):
    run("demo", "--nights", "10")
    run("trial", "start")
    exported = run("export").stdout
    assert len(json.loads(exported)["trials"]) == 1
    other = tmp_path / "other.db"
    from magsleep.store.engine import Store

    Store.open(other).close()
    path = tmp_path / "e.json"
    path.write_text(exported)
    from click.testing import CliRunner

    from magsleep.cli import cli

    imported = CliRunner().invoke(cli, ["--db", str(other), "import", str(path)])
    assert imported.exit_code == 0 and "1 trial plan" in imported.stdout, imported.output
    assert CliRunner().invoke(cli, ["--db", str(other), "export"]).stdout == exported
    # A plan edited in the file no longer matches its fingerprint: refused, nothing imported.
    data = json.loads(exported)
    data["trials"][0]["orders"] = ["on-off"] * 4 if data["trials"][0]["orders"] != ["on-off"] * 4 else ["off-on"] * 4
    path.write_text(json.dumps(data))
    third = tmp_path / "third.db"
    Store.open(third).close()
    refused = CliRunner().invoke(cli, ["--db", str(third), "import", str(path)])
    assert refused.exit_code == 2 and "trials[0].fingerprint" in refused.stderr
    assert rows(third, "night") == 0 and rows(third, "trial") == 0
