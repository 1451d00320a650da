"""The blinded trial in the app (issue 23): the morning log's one-key bag guess, checked beside its
field and stored with the diary; Insights speaks of bags only while sealed."""

from __future__ import annotations

from datetime import timedelta

from magsleep.domain import blinding
from magsleep.domain.n_of_1 import make_plan
from magsleep.store.blinding import guesses
from magsleep.store.trials import add_trial, current_trial
from tests.ui.conftest import LAST_NIGHT, SIZE, TONIGHT, app_for, open_store, settle, text_of
from tests.ui.test_morning_log import GOOD, fill


def with_blinded_plan(path) -> blinding.Blind:
    blind = blinding.draw_blind()
    plan = make_plan(LAST_NIGHT - timedelta(days=2), "2026-11-20T20:00:00+00:00", baseline=0, period=4, pairs=3,
                     washout=0, commitment=blind.commitment)
    store = open_store(path)
    with store.writing() as s:
        add_trial(plan, TONIGHT, session=s)
    store.close()
    return blind


def stored_guesses(path) -> dict:
    store = open_store(path)
    with store.reading() as s:
        found = guesses(current_trial(session=s), session=s)
    store.close()
    return found


async def test_the_morning_log_takes_a_bag_guess_with_one_key(empty_db):
    with_blinded_plan(empty_db)
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert app.screen.query_one("#log-guess-row").display
        await fill(app, GOOD)
        app.screen.query_one("#log-rested").focus()
        await pilot.press("tab")
        assert app.focused.id == "log-guess"
        await pilot.press("x", "ctrl+s")
        await settle(pilot)
        assert "must be A or B" in text_of(app, "#log-guess-error")
        assert app.focused.id == "log-guess"
        assert stored_guesses(empty_db) == {}
        await pilot.press("backspace", "b", "ctrl+s")
        await settle(pilot)
        assert text_of(app, "#log-guess-error").strip() == ""
    assert stored_guesses(empty_db) == {LAST_NIGHT: "B"}


async def test_no_guess_row_outside_a_blinded_trial(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert not app.screen.query_one("#log-guess-row").display
        await fill(app, GOOD)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "71.9%" in text_of(app, "#log-result")


async def test_insights_speak_of_bags_and_a_sealed_key_while_blinded(empty_db):
    with_blinded_plan(empty_db)
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        pairs = text_of(app, "#ins-pairs")
        assert "bag A" in pairs and "bag B" in pairs and "sealed" in pairs
        assert "magnesium  " not in pairs and "Better" not in pairs


async def test_the_dashboard_says_the_bag_and_a_bag_dose_is_no_deviation(empty_db):
    with_blinded_plan(empty_db)
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", *"100", "enter")
        await settle(pilot)
        line = text_of(app, "#trial-tonight")
        assert "bag " in line and "(blinded)" in line
        assert "deviation" not in line and "magnesium period" not in line
