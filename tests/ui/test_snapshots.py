"""Snapshots of the main screens: an App from make_app, a fixed clock, a seeded database, 80x24.

Update them after an intended change with `pytest tests/ui/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.support.app import SIZE, app_for, seed, settle
from tests.support.records import with_plan


@pytest.fixture
def demo_app(db_path):
    return app_for(seed(db_path, nights=60))


def keys(*pressed):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        # A blinking cursor is on or off depending on timing: keep it steadily on, then let the
        # change be drawn (settle waits for the workers and the messages, not a fixed time).
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await settle(pilot)

    return run_before


def test_dashboard(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys())


def test_morning_log(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys("l"))


def test_history(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys("h"))


def test_help(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys("question_mark"))


def test_too_small(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(60, 18), run_before=keys())


@pytest.fixture
def trial_app(db_path):
    return app_for(with_plan(seed(db_path, nights=120), 100))


def test_trial_dashboard(snap_compare, db_path):
    app = app_for(with_plan(seed(db_path, nights=60), 20))
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


def test_trial_insights(snap_compare, trial_app):
    assert snap_compare(trial_app, terminal_size=(100, 40), run_before=keys("i"))


def test_forms(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys("f"))


def test_regularity_graph(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys("m", "m", "m", "m", "m"))
