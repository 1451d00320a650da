"""The Trial screen (issue 18, item 9): the recommended plan and its alternatives, start and stop
with a confirmation, tonight and tomorrow, and a calendar of the nights with tonight marked."""

from __future__ import annotations

import json
import sqlite3

from tests.ui.conftest import TONIGHT, app_for, seed, settle, text_of

SIZE = (100, 40)


def plans(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT start, baseline_nights, period_nights, pairs, washout_nights, orders, stopped_at "
                            "FROM trial").fetchall()


async def open_trial(pilot) -> None:
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    await settle(pilot)  # the recommendation comes from a second worker


async def test_start_from_the_screen_after_a_confirmation_makes_the_recommended_plan(db_path):
    path = seed(db_path, nights=30)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await open_trial(pilot)
        assert app.screen.id != "dashboard" and "No trial is running" in text_of(app, "#trial-tonight")
        plan_text = text_of(app, "#trial-plan")
        assert "Recommended for a new trial, sized to your nights:" in plan_text
        assert "weeks, power" in plan_text and "Shorter plans find it less often" in plan_text
        await pilot.press("s")
        await settle(pilot)
        assert "Start a randomised trial tonight?" in text_of(app, "#confirm-question")
        await pilot.press("n")  # no: nothing is stored
        await settle(pilot)
        assert plans(path) == []
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        stored = plans(path)
        assert len(stored) == 1 and stored[0][0] == TONIGHT.isoformat() and stored[0][6] is None
        tonight = text_of(app, "#trial-tonight")
        assert tonight.startswith("Tonight: Trial · baseline night 1 of") and "Tomorrow: baseline, no magnesium." \
            in tonight
        calendar = text_of(app, "#trial-calendar")
        weeks = [line for line in calendar.splitlines()[1:] if line[:2].isdigit()]
        assert "[b]" in calendar and sum(week.count("[") for week in weeks) == 1  # tonight, marked once
        assert "M magnesium night" in calendar
        drawn = json.loads(stored[0][5])
        assert len(weeks) >= (stored[0][1] + 2 * stored[0][2] * len(drawn)) // 7
        # on the dashboard, tonight's item now follows the plan
        await pilot.press("escape")
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        assert checklist.get_option_at_index(0).prompt.plain == "No magnesium tonight (trial)"


async def test_stop_from_the_screen_after_a_confirmation(db_path):
    path = seed(db_path, nights=30)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await open_trial(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert "Stop the trial now?" in text_of(app, "#confirm-question")
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        assert plans(path)[0][6] is not None
        assert "No trial is running" in text_of(app, "#trial-tonight")


async def test_the_palette_and_help_reach_the_trial_screen(db_path):
    app = app_for(seed(db_path, nights=10))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"go to trial", "enter")
        await settle(pilot)
        assert app.screen.sub_title == "randomised trial"
        await pilot.press("question_mark")
        await settle(pilot)
        assert any("Start the recommended trial (asks first)" in str(s.render()) for s in app.screen.query("Static"))
