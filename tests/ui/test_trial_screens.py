"""The randomised trial in the app: tonight's line on the dashboard, the off-night item, deviations,
and the Insights trial section."""

from __future__ import annotations

import pytest

from magsleep.domain.n_of_1 import make_plan
from magsleep.store.trials import add_trial
from tests.support.app import SIZE, TONIGHT, app_for, notices, open_store, seed, settle, text_of
from tests.support.records import with_plan


def labels(app) -> list[str]:
    checklist = app.screen.query_one("#checklist")
    return [checklist.get_option_at_index(i).prompt.plain for i in range(checklist.option_count)]


SETTLE_IN = " (settling in as the last period's effect fades: not counted)."


@pytest.mark.parametrize("days_ago,line,first_item,offered", [
    (3, "Trial · baseline night 4 of 14: no magnesium tonight. These nights measure your usual sleep before the "
        "first period.", "No magnesium tonight (trial)", False),
    (20, "Trial · pair 1 of 4 · no-magnesium period, night 7 of 14: no magnesium tonight" + SETTLE_IN,
     "No magnesium tonight (trial)", False),
    (28, "Trial · pair 1 of 4 · magnesium period, night 1 of 14: take your usual dose tonight" + SETTLE_IN,
     "Magnesium tonight (trial)", True),
    (36, "Trial · pair 1 of 4 · magnesium period, night 9 of 14: take your usual dose tonight.",
     "Magnesium tonight (trial)", True),
])
async def test_dashboard_says_where_tonight_stands(db_path, days_ago, line, first_item, offered):
    """What to do tonight comes first, in plain words; the usual dose is offered only on a magnesium
    night (baseline and off nights offer none: issue 18)."""
    app = app_for(with_plan(seed(db_path, nights=30), days_ago))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#trial-tonight") == line
        assert labels(app)[0] == first_item
        assert (app.screen.query_one("#dose-amount").value != "") is offered


@pytest.mark.parametrize("days_ago", [3, 20])
async def test_ticking_no_magnesium_tonight_keeps_to_the_plan_and_opens_no_dose(db_path, days_ago):
    path = with_plan(seed(db_path, nights=30), days_ago)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#checklist").focus()
        await pilot.press("home", "space")
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "checklist"  # no dose form opened
        assert "No dose logged tonight" in text_of(app, "#dose-list")
    assert magnesium_item_done(path) is True


def magnesium_item_done(path) -> bool | None:
    import sqlite3

    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT c.done FROM routine_check c JOIN routine_item i ON i.id = c.item_id "
                           "JOIN night n ON n.id = c.night_id WHERE i.label = 'Take magnesium' AND n.date = ?",
                           (TONIGHT.isoformat(),)).fetchone()
    return None if row is None else bool(row[0])


async def test_a_dose_on_a_no_magnesium_night_is_saved_and_marked(db_path):
    app = app_for(with_plan(seed(db_path, nights=30), 20))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("a", *"100", "enter")
        await settle(pilot)
        assert "saved, and marked as a deviation" in text_of(app, "#trial-tonight")
        assert "100 mg" in text_of(app, "#dose-list")
        # "No magnesium tonight" is not kept: shown unticked, stored unticked, and cannot be ticked
        checklist = app.screen.query_one("#checklist")
        first = checklist.get_option_at_index(0)
        assert first.prompt.plain == "No magnesium tonight (trial)" and first.value not in checklist.selected
        checklist.focus()
        await pilot.press("home", "space")
        await settle(pilot)
        assert first.value not in checklist.selected
        assert any("deviation" in m for m in notices(app))
    assert magnesium_item_done(db_path) is False


def test_a_dose_on_a_no_magnesium_night_is_a_deviation_in_status_and_trial_status(db_path):
    """Said once, the same way, everywhere: the status line and `trial status` (issue 18, item 8)."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("faketime") is None:
        pytest.skip("needs faketime (Debian package; .ci/run installs it)")
    path = with_plan(seed(db_path, nights=30), 20)
    env = {**os.environ, "FAKETIME_DONT_FAKE_MONOTONIC": "1", "TZ": "Europe/London"}

    def magsleep(*args: str) -> str:
        return subprocess.run(["faketime", "-f", "@2026-11-25 21:30:00", sys.executable, "-m", "magsleep",
                               "--db", str(path), *args], env=env, capture_output=True, text=True,
                              check=True, timeout=60).stdout

    magsleep("dose", "100")
    assert "trial: dose on a no-magnesium night (deviation)" in magsleep("status")
    data = json.loads(magsleep("status", "--json"))
    assert data["trial_deviation"] is True and data["trial_phase"] == "off"
    trial = magsleep("trial", "status")
    assert "marked as a deviation" in trial
    assert magnesium_item_done(path) is False


async def test_no_trial_line_without_a_plan(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#trial-tonight").display
        assert labels(app)[0] == "Take magnesium"


async def test_insights_trial_section(db_path):
    app = app_for(with_plan(seed(db_path, nights=120), 100))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        plan_text = text_of(app, "#ins-plan")
        assert plan_text.startswith("Plan ") and "outcome time to fall asleep" in plan_text
        pairs = text_of(app, "#ins-pairs")
        assert "1  off-on" in pairs and "4  off-on" in pairs and "Deviations:" in pairs
        chart = app.screen.query_one("#ins-trial-chart")
        assert len(chart.plotted["on"]) == 3 and len(chart.plotted["off"]) == 3
        assert text_of(app, "#ins-verdict").startswith("Interim: 3 of 4 pairs done; no conclusion until")
        step = text_of(app, "#ins-next")  # what to do next, in words, right under the result
        assert step.startswith("Next: Keep to the plan until") or "Extending the trial by" in step
        # after a randomised trial, the diary's tables are not called "not a clinical trial"
        hint = text_of(app, "#ins-hint")
        assert "randomised trial above" in hint and "not a clinical" not in hint


async def test_insights_hides_the_trial_section_without_a_plan(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert not app.screen.query_one("#ins-randomised").display
        assert not app.screen.query_one("#ins-next").display
        assert "not a clinical trial" in text_of(app, "#ins-hint")


async def test_the_headline_outcome_is_a_setting(seeded):
    from magsleep.store.settings import load_settings

    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#verdict").startswith("Time to fall asleep")
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#pref-primary_outcome").value = "se"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    store = open_store(seeded)
    with store.reading() as s:
        assert load_settings(session=s).primary_outcome == "se"
    store.close()
    again = app_for(seeded)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(again, "#verdict").startswith("Sleep efficiency")


@pytest.mark.parametrize("sql", ["UPDATE trial SET pairs = pairs + 1", "UPDATE trial SET start = '9999-12-01'"])
async def test_a_plan_changed_outside_magsleep_shows_tonight_with_one_notice(db_path, sql):
    import sqlite3

    path = with_plan(seed(db_path), days_ago=20)
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()
    app = app_for(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        said = notices(app)
        assert not said, said  # no failed read, no failed save: the plan is simply not used
        notice = text_of(app, "#trial-tonight")
        assert "changed outside magsleep" in notice and "'magsleep trial stop' ends it" in notice
        assert labels(app)[0] == "Take magnesium"  # tonight as outside a trial
        assert text_of(app, "#trend-summary") != "Opening your data…"
        assert text_of(app, "#verdict")
        await pilot.press("i")
        await settle(pilot)
        assert text_of(app, "#ins-verdict") != "Working it out…"
        assert "changed outside magsleep" in text_of(app, "#ins-plan")


async def test_a_plan_started_after_tonights_dose_shows_no_magnesium_tonight_unticked(db_path):
    from datetime import datetime

    from magsleep.domain.magnesium import dose_amount
    from magsleep.store.doses import add_dose
    from tests.support.app import LONDON

    path = seed(db_path, nights=30)
    store = open_store(path)
    with store.writing() as s:
        add_dose(TONIGHT, datetime(2026, 11, 25, 21, 0, tzinfo=LONDON), dose_amount("glycinate", 100), session=s)
        add_trial(make_plan(TONIGHT, "2026-11-25T21:15:00+00:00", baseline=0, draw=lambda _: "off-on"), TONIGHT,
                  session=s)
    store.close()
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        first = checklist.get_option_at_index(0)
        assert first.prompt.plain == "No magnesium tonight (trial)"
        assert first.value not in checklist.selected
        assert "marked as a deviation" in text_of(app, "#trial-tonight")
