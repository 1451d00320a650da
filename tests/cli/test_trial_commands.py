"""`magsleep trial`, the insights JSON contract, and trial plans through export and import."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from magsleep import local_time
from magsleep.domain.nights import last_night, night_of


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
    (["--pairs", "1"], "--pairs: must be 3 to 12"),
    (["--pairs", "2"], "--pairs: must be 3 to 12"),
    (["--pairs", "x"], "--pairs: 'x' is not a number"),
    (["--period", "3"], "--period: must be 4 to 60"),
    (["--period", "14", "--washout", "11"], "--washout: must be 0 to 10"),
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


def tamper(db_path, sql: str, *params) -> None:
    """Edit the trial table behind magsleep's back, as another program could."""
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(sql, params)
    conn.close()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


@pytest.mark.parametrize("sql", [
    "UPDATE trial SET pairs = pairs + 1",  # the numbers no longer match the orders drawn
    # Every order flipped: other orders whatever was drawn (a fixed list matched the draw 1 time in 16).
    "UPDATE trial SET orders = replace(replace(replace(orders, 'on-off', '~'), 'off-on', 'on-off'), '~', 'off-on')",
    "UPDATE trial SET start = '9999-12-01'",  # a date that runs off the calendar
    "UPDATE trial SET start = 'soon'",
    "UPDATE trial SET created_at = 'x[/]\x1b'",
    "UPDATE trial SET baseline_nights = 'many'",
    "UPDATE trial SET orders = '{not json'",
    "UPDATE trial SET orders = X'00ff', outcome = 3.5",
    "UPDATE trial SET orders = '" + "[" * 100_000 + "'",
], ids=["pairs", "orders", "start-9999", "start-text", "created_at", "baseline-text", "orders-text", "bytes",
        "orders-deep"])
def test_a_plan_changed_outside_magsleep_never_locks_anyone_out(run, db_path, sql):
    assert run("dose", "100").exit_code == 0
    assert run("trial", "start").exit_code == 0
    tamper(db_path, sql)
    # Everything that does not need the plan keeps working.
    assert run("dose", "50").exit_code == 0
    exported = run("export")
    assert exported.exit_code == 0 and len(json.loads(exported.stdout)["trials"]) == 1
    insights = run("insights")
    assert insights.exit_code == 0 and "changed outside magsleep" in insights.stdout
    data = json.loads(run("insights", "--json").stdout)
    assert data["randomised_trial"] is None and "changed outside magsleep" in data["trial_plan_problem"]
    report = run("report")
    assert report.exit_code == 0 and "changed outside magsleep" in report.stdout
    # The plan itself is reported, one line each, and `trial stop` ends it.
    status = run("trial", "status")
    assert status.exit_code == 1 and "changed outside magsleep" in one_line(status.stderr)
    assert "\x1b" not in status.stderr
    verify = run("verify")
    assert verify.exit_code == 1 and "trial: The trial plan made" in one_line(verify.stderr)
    refused = run("trial", "start")
    assert refused.exit_code == 2 and "'magsleep trial stop' ends it" in one_line(refused.stderr)
    stopped = run("trial", "stop")
    assert stopped.exit_code == 0 and "is ended" in stopped.stdout, stopped.output
    again = run("trial", "start", "--pairs", "5")  # (not the first plan again, were it made in the same second)
    assert again.exit_code == 0, again.output
    assert json.loads(run("trial", "status", "--json").stdout)["plan"]["stopped_at"] is None
    assert run("verify").exit_code == 1  # the changed plan stays, stopped, and is still reported
    assert rows(db_path, "trial") == 2


def test_a_bad_stopped_at_is_a_reported_plan_not_a_traceback(run, db_path):
    run("trial", "start")
    tamper(db_path, "UPDATE trial SET stopped_at = 'yesterday'")
    status = run("trial", "status")
    assert status.exit_code == 1 and "stopped_at" in one_line(status.stderr)
    assert json.loads(run("trial", "status", "--json").stdout)["plan"] is None
    assert run("trial", "stop").exit_code == 2  # it is not open: nothing to stop
    assert run("insights").exit_code == 0 and run("trial", "start").exit_code == 0


@pytest.mark.parametrize("start", ["9999-12-01", "+366"])
def test_a_plan_more_than_a_year_ahead_is_refused_before_anything_is_stored(run, db_path, start):
    made = local_time.now().date()  # "a year ahead" counts from the day the plan is made, not the night
    first = (made + timedelta(days=int(start[1:]))).isoformat() if start.startswith("+") else start
    result = run("trial", "start", "--start", first)
    assert result.exit_code == 2 and "--start: " in one_line(result.stderr)
    assert rows(db_path, "trial") == 0
    last_allowed = run("trial", "start", "--start", (made + timedelta(days=365)).isoformat())
    assert last_allowed.exit_code == 0, last_allowed.output
    for command in (("trial", "status"), ("insights",), ("report",), ("trial", "stop")):
        assert run(*command).exit_code == 0, command


def at(monkeypatch, moment: datetime) -> None:
    """The command line's clock (local_time.now) set to `moment`, in the test's zone."""
    monkeypatch.setattr(local_time, "now", lambda: moment.replace(tzinfo=local_time.local_zone()))


def test_after_the_last_night_status_stop_and_start_agree(run, db_path, monkeypatch):
    made = datetime(2026, 3, 2, 20, 0)
    at(monkeypatch, made)
    assert run("trial", "start", "--baseline", "0", "--period", "4", "--pairs", "3", "--washout", "0").exit_code == 0
    end = date(2026, 3, 2) + timedelta(days=23)
    # 01:00 after the last night: still the last night (the night rolls over at noon).
    at(monkeypatch, datetime.combine(end + timedelta(days=1), datetime.min.time()).replace(hour=1))
    assert "night 4 of 4" in run("trial", "status").stdout
    again = run("trial", "start")
    assert again.exit_code == 2 and "a trial is running" in again.stderr
    # After noon the plan has run its course: all three say so.
    at(monkeypatch, datetime.combine(end + timedelta(days=1), datetime.min.time()).replace(hour=13))
    status = run("trial", "status").stdout
    assert "Trial finished" in status and "stopped early" not in status
    stop = run("trial", "stop")
    assert stop.exit_code == 2 and f"ended with the night of {end}" in stop.stderr
    assert run("trial", "start").exit_code == 0
    plans = json.loads(run("export").stdout)["trials"]
    assert len(plans) == 2 and plans[0]["stopped_at"] and plans[1]["stopped_at"] is None
    assert "stopped early" not in run("report").stdout.split("Randomised trial")[0]


def test_stopping_at_one_in_the_morning_of_the_last_night_stops_it(run, db_path, monkeypatch):
    at(monkeypatch, datetime(2026, 3, 2, 20, 0))
    run("trial", "start", "--baseline", "0", "--period", "4", "--pairs", "3", "--washout", "0")
    at(monkeypatch, datetime(2026, 3, 26, 1, 0))  # the night of 25 March, the plan's last
    stop = run("trial", "stop")
    assert stop.exit_code == 0, stop.output
    assert run("trial", "start").exit_code == 0


def test_an_imported_stopped_plan_never_hides_the_running_one(run, db_path, tmp_path):
    from click.testing import CliRunner

    from magsleep.cli import cli

    other = tmp_path / "other.db"

    def there(*args: str):
        return CliRunner().invoke(cli, ["--db", str(other), *args])

    assert there("trial", "start").exit_code == 0 and there("trial", "stop").exit_code == 0
    stopped_file = tmp_path / "stopped.json"
    stopped_file.write_text(there("export").stdout)
    assert run("trial", "start").exit_code == 0
    running = json.loads(run("trial", "status", "--json").stdout)["plan"]["fingerprint"]
    imported = run("import", str(stopped_file))
    assert imported.exit_code == 0, imported.output
    status = json.loads(run("trial", "status", "--json").stdout)["plan"]
    assert status["fingerprint"] == running and status["stopped_at"] is None
    second = run("trial", "start", "--start", (tonight() + timedelta(days=2)).isoformat())
    assert second.exit_code == 2 and "a trial is running" in second.stderr
    assert run("trial", "stop").exit_code == 0
    # The same plans again: refused, nothing added.
    assert run("import", str(stopped_file)).exit_code == 2
    assert rows(db_path, "trial") == 2


def test_an_imported_open_plan_is_refused_while_one_runs(run, db_path, tmp_path):
    from click.testing import CliRunner

    from magsleep.cli import cli

    other = tmp_path / "other.db"
    # Five pairs: two default plans made in the same second drew the same orders 1 time in 16, and
    # the import then rightly refused the same plan twice.
    assert CliRunner().invoke(cli, ["--db", str(other), "trial", "start", "--pairs", "5"]).exit_code == 0
    open_file = tmp_path / "open.json"
    open_file.write_text(CliRunner().invoke(cli, ["--db", str(other), "export"]).stdout)
    run("trial", "start")
    refused = run("import", str(open_file))
    assert refused.exit_code == 2 and "trials[0]" in refused.stderr and "a trial is running" in refused.stderr
    assert rows(db_path, "trial") == 1
    run("trial", "stop")
    assert run("import", str(open_file)).exit_code == 0  # moving a running trial to a new machine
    assert json.loads(run("trial", "status", "--json").stdout)["plan"]["stopped_at"] is None


def test_the_same_plan_twice_in_a_file_is_refused(run, db_path, tmp_path):
    run("trial", "start")
    data = json.loads(run("export").stdout)
    data["trials"] = data["trials"] * 2
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(data))
    fresh = tmp_path / "fresh.db"
    from click.testing import CliRunner

    from magsleep.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(fresh), "import", str(path)])
    assert result.exit_code == 2 and "trials[1]: is the same plan as an earlier one" in result.stderr


def test_an_imported_plan_is_checked_as_a_new_one_is(run, db_path, tmp_path):
    from magsleep.domain.n_of_1 import TrialPlan

    far = TrialPlan(date(2027, 12, 1), 0, 4, 2, 0, "sol", ("on-off", "off-on"), "2026-11-01T20:00:00+00:00")
    record = {**{k: v for k, v in far.as_dict().items()}, "stopped_at": "2026-11-02T08:00:00+00:00"}
    path = tmp_path / "far.json"
    path.write_text(json.dumps({"nights": [], "trials": [record]}))
    result = run("import", str(path))
    assert result.exit_code == 2 and "trials[0].start: 2027-12-01 is more than a year" in result.stderr
    assert rows(db_path, "trial") == 0


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
    last = last_night(local_time.now())  # the night just logged (tonight itself, before the rollover)
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
    flip = {"on-off": "off-on", "off-on": "on-off"}
    data["trials"][0]["orders"] = [flip[o] for o in data["trials"][0]["orders"]]
    path.write_text(json.dumps(data))
    third = tmp_path / "third.db"
    Store.open(third).close()
    refused = CliRunner().invoke(cli, ["--db", str(third), "import", str(path)])
    assert refused.exit_code == 2 and "trials[0].fingerprint" in refused.stderr
    assert rows(third, "night") == 0 and rows(third, "trial") == 0


@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime (Debian package)")
def test_at_one_in_the_morning_after_the_last_night_the_real_command_agrees_with_itself(db_path):
    """End to end with the process's own clock (faketime): status, start and stop, as typed."""

    def magsleep(when: str, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        return subprocess.run(["faketime", "-f", f"@{when}", sys.executable, "-m", "magsleep", "--db", str(db_path),
                               *args], capture_output=True, text=True, env=env, timeout=60)

    made = magsleep("2026-03-02 20:00:00", "trial", "start", "--baseline", "0", "--period", "4", "--pairs", "3",
                    "--washout", "0")
    assert made.returncode == 0 and "2026-03-02 to 2026-03-25" in made.stdout, made.stderr
    status = magsleep("2026-03-26 01:00:00", "trial", "status")
    assert "night 4 of 4" in status.stdout, status.stderr
    start = magsleep("2026-03-26 01:00:00", "trial", "start")
    assert start.returncode == 2 and "a trial is running until the night of 2026-03-25" in start.stderr
    stop = magsleep("2026-03-26 01:00:00", "trial", "stop")
    assert stop.returncode == 0 and "stopped 2026-03-26T01:00" in stop.stdout, stop.stderr


def test_start_without_plan_options_makes_the_recommended_plan_and_says_so(run, db_path):
    """`trial start` alone sizes the plan to the person's nights (here: assumed, none yet), says so,
    and tells them to take no magnesium in the baseline (issue 18, items 1 and 8)."""
    from magsleep.domain.trial_sizing import recommend

    result = run("trial", "start")
    assert result.exit_code == 0, result.stderr
    best = recommend("sol").recommended
    assert "Sized to your nights" in result.stdout and best.words() in result.stdout
    assert "Take no magnesium from the night of" in result.stdout
    plan = json.loads(run("trial", "status", "--json").stdout)["plan"]
    assert (plan["baseline_nights"], plan["period_nights"], plan["pairs"], plan["washout_nights"]) == \
        (best.baseline_nights, best.period_nights, best.pairs, best.washout_nights)
    run("trial", "stop")
    partly = run("trial", "start", "--pairs", "3")
    assert partly.exit_code == 0 and "The numbers you did not give are sized to your nights" in partly.stdout
    plan = json.loads(run("trial", "status", "--json").stdout)["plan"]
    assert plan["pairs"] == 3 and plan["period_nights"] == best.period_nights


def test_extend_adds_pairs_before_the_end_keeps_the_drawn_orders_and_records_it(run, db_path):
    """`trial extend --pairs N` (issue 18, item 10): the first pairs keep their orders, the plan's
    history says when and from how many, and a record edited outside magsleep shows as not matching."""
    assert run("trial", "extend", "--pairs", "2").exit_code == 2  # no trial yet: one line, exit 2
    run("trial", "start", "--baseline", "14", "--period", "14", "--pairs", "4", "--washout", "7")
    before = json.loads(run("trial", "status", "--json").stdout)["plan"]
    result = run("trial", "extend", "--pairs", "2")
    assert result.exit_code == 0 and "from 4 to 6 pairs" in result.stdout, result.stderr
    after = json.loads(run("trial", "status", "--json").stdout)["plan"]
    assert after["pairs"] == 6 and after["orders"][:4] == before["orders"] and len(after["orders"]) == 6
    assert after["history"] == [{"extended_at": after["history"][0]["extended_at"], "pairs_before": 4,
                                 "pairs_after": 6, "matches": True}]
    assert "Extended " in run("trial", "status").stdout
    too_many = run("trial", "extend", "--pairs", "7")
    assert too_many.exit_code == 2 and "--pairs: must be 1 to 6" in too_many.stderr
    for bad in ("0", "x", "-1", "[/]"):
        refused = run("trial", "extend", "--pairs", bad)
        assert refused.exit_code == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert json.loads(run("trial", "status", "--json").stdout)["plan"]["pairs"] == 6  # nothing changed
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE trial_change SET pairs_before = 3")
    conn.commit()
    conn.close()
    assert "does not match the plan" in run("trial", "status").stdout
    run("trial", "stop")
    stopped = run("trial", "extend", "--pairs", "1")
    assert stopped.exit_code == 2 and "no trial is running" in stopped.stderr


def test_a_plan_is_not_extended_after_its_planned_end_or_once_stopped():
    from datetime import date

    from magsleep.domain.errors import InvalidInput
    from magsleep.domain.trial_plan import earlier_fingerprint, extend_plan, make_plan

    plan = make_plan(date(2026, 1, 1), "2026-01-01T20:00:00+00:00", baseline=0, period=4, pairs=3, washout=0)
    longer = extend_plan(plan, 1, plan.end)  # the last night is still before the end
    assert longer.pairs == 4 and earlier_fingerprint(longer, 3) == plan.fingerprint
    with pytest.raises(InvalidInput, match="before its planned end"):
        extend_plan(plan, 1, plan.end + timedelta(days=1))
    with pytest.raises(InvalidInput, match="stopped"):
        extend_plan(replace(plan, stopped_at="2026-01-02T08:00:00+00:00"), 1, date(2026, 1, 2))
