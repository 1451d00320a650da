"""An open app and the database agree: writes from other processes, the rollover, ticks and doses.

Other processes are real `magsleep` commands run beside the open app on the same file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from magsleep.store.routine import checklist_for
from tests.support.app import SIZE, TONIGHT, app_for, notices, open_store, settle, text_of, wait_until
from tests.support.records import read_back, stored_total, with_plan

MAGSLEEP = str(Path(sys.executable).with_name("magsleep"))


def magsleep(db: Path, *args: str) -> None:
    """A write from another shell (London time, like the app's fixed clock)."""
    subprocess.run([MAGSLEEP, "--db", str(db), *args], check=True, capture_output=True,
                   env={**os.environ, "TZ": "Europe/London"})


async def test_outside_writes_in_the_same_window_as_the_apps_own_are_never_lost(seeded):
    """The app ticks while two other shells log a dose and an old night's diary, all within one
    2-second window: the open dashboard converges to the database, by itself, within seconds."""
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = text_of(app, "#trend-summary")
        assert before.startswith("58 nights of sleep logged")  # 2 demo nights have no diary
        await pilot.press("down", "space")  # the app's own write
        magsleep(seeded, "dose", "213", "--at", "2026-11-25T21:00")
        magsleep(seeded, "sleep", "--night", "2026-08-01", "--bed", "23:00", "--latency", "20",
                 "--final", "06:30", "--up", "06:45", "--quality", "3")
        await pilot.press("down", "space")  # and another, right after
        assert await wait_until(pilot, lambda: "213 mg" in text_of(app, "#dose-list")
                                and text_of(app, "#trend-summary").startswith("59 nights of sleep logged")), \
            (text_of(app, "#dose-list"), text_of(app, "#trend-summary"))
        assert stored_total(seeded) == 213
        # Two ticks here, and the outside dose ticked "Take magnesium".
        assert "3/6 done" in str(app.screen.query_one("#tonight-pane").border_title)


async def test_take_magnesium_stays_ticked_while_a_dose_is_logged_and_says_why(seeded):
    """Unticking "Take magnesium" after two doses is refused with the reason; the dashboard, the
    night editor and History all count the night the same way."""
    app = app_for(seeded)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("a", *"200", "enter")
        await settle(pilot)
        await pilot.press("a", *"200", "enter")
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        checklist.highlighted = 0
        assert "1/6 done" in str(app.screen.query_one("#tonight-pane").border_title)
        await pilot.press("space")  # untick "Take magnesium"
        await settle(pilot)
        assert "1/6 done" in str(app.screen.query_one("#tonight-pane").border_title)
        assert checklist.get_option_at_index(0).value in checklist.selected
        messages = notices(app)
        assert any('"Take magnesium" stays ticked while 2 doses (400 mg) are logged' in m for m in messages), messages
        assert stored_total(seeded) == 400
        # History counts the same night the same way.
        await pilot.press("h")
        await settle(pilot)
        table = app.screen.query_one("#history-table")
        row = [str(c) for c in table.get_row_at(0)]
        assert row[0] == TONIGHT.isoformat() and "1/6" in row, row
        # The night editor shows it ticked too, and refuses the untick there as well.
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen.query_one("#log-checklist")
        first = editor.get_option_at_index(0).value
        assert first in editor.selected
        editor.focus()
        editor.highlighted = 0
        await pilot.press("space")
        await settle(pilot)
        assert first in app.screen.query_one("#log-checklist").selected


def test_the_store_refuses_the_untick_for_any_caller(seeded):
    """The rule lives in the store: no screen or command can untick a night that has a dose."""
    from datetime import datetime

    import pytest

    from magsleep.domain.errors import InvalidInput
    from magsleep.domain.magnesium import dose_amount
    from magsleep.store.doses import add_dose
    from magsleep.store.routine import checklist_for, list_items, set_check
    from tests.support.app import LONDON

    store = open_store(seeded)
    with store.writing() as s:
        add_dose(TONIGHT, datetime(2026, 11, 25, 21, 0, tzinfo=LONDON), dose_amount("glycinate", "150"), session=s)
    with store.reading() as s:
        item = next(i for i in list_items(session=s) if i.label == "Take magnesium")
    with pytest.raises(InvalidInput, match="stays ticked while 1 dose \\(150 mg\\) is logged"):
        with store.writing() as s:
            set_check(TONIGHT, item.id, False, session=s)
    with store.reading() as s:
        assert next(c for c in checklist_for(TONIGHT, session=s) if c.item_id == item.id).done
    store.close()


async def test_an_app_left_open_moves_to_the_new_night_at_the_rollover(seeded):
    """Open at 11:59 (still the night of the 25th), the clock passes noon: the title, checklist and
    dose pane move to the 26th by themselves, and a tick then lands on the night on screen."""
    from datetime import datetime, timedelta

    from magsleep.ui.app import make_app
    from tests.support.app import LONDON

    moment = [datetime(2026, 11, 26, 11, 59, 50, tzinfo=LONDON)]
    app = make_app(seeded, clock=lambda: moment[0])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("a", *"100", "enter")  # a dose on the night of the 25th
        await settle(pilot)
        assert app.screen.sub_title == "night of Wed 25 Nov"
        assert "100 mg" in text_of(app, "#dose-list")
        moment[0] += timedelta(seconds=28)  # 12:00:18
        assert await wait_until(pilot, lambda: app.screen.sub_title == "night of Thu 26 Nov"
                                and any("night of Thursday" in m for m in notices(app)), 4)
        await settle(pilot)
        assert text_of(app, "#dose-list") == "No dose logged tonight."
        assert "0/6 done" in str(app.screen.query_one("#tonight-pane").border_title)
        assert any("night of Thursday 26 November" in m for m in notices(app))
        await pilot.press("down", "space")
        await settle(pilot)
    import sqlite3

    conn = sqlite3.connect(f"file:{seeded}?mode=ro", uri=True)
    ticks = conn.execute("SELECT n.date FROM routine_check c JOIN night n ON n.id = c.night_id "
                         "JOIN routine_item i ON i.id = c.item_id WHERE c.done = 1 AND i.label != 'Take magnesium' "
                         "AND n.date >= '2026-11-25'").fetchall()
    conn.close()
    assert ticks == [("2026-11-26",)]


async def test_regularity_at_the_seven_night_range_matches_the_summary_and_insights(seeded):
    """At the 7-night range the graph still shows each night's 14-night figure (worked out from the
    nights before the range too), and the dashboard and Insights give one value for the same nights."""
    import re

    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for metric in ("midsleep_sd", "sri"):
            while app.screen.metric != metric:
                await pilot.press("m")
            while app.screen.range_days != 7:
                await pilot.press("r")
            await settle(pilot)
            chart = app.screen.query_one("#trend")
            summary = text_of(app, "#trend-summary")
            assert chart.plotted and len(chart.plotted["y"]) >= 5, (metric, summary)
            shown = re.search(r"(varies by|regularity index) (-?\d+)", summary)
            assert shown is not None, summary
            if metric == "sri":
                sri_dash = int(shown.group(2))
            else:
                sd_dash = int(shown.group(2))
        await pilot.press("i")
        await settle(pilot)
        line = text_of(app, "#ins-regularity")
        found = re.search(r"varies by (\d+) min \(SD\); Sleep Regularity Index (-?\d+)", line)
        assert found is not None, line
        assert (int(found.group(1)), int(found.group(2))) == (sd_dash, sri_dash), (line, sd_dash, sri_dash)


async def test_writes_commit_in_the_order_they_were_made(seeded):
    """Tick, untick, tick... typed fast: each is its own write, and the last one typed is what is
    stored (write workers run in threads; they must commit in the order they were asked for)."""
    import sqlite3

    def stored_done() -> bool:
        conn = sqlite3.connect(f"file:{seeded}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT c.done FROM routine_check c JOIN night n ON n.id = c.night_id JOIN "
                               "routine_item i ON i.id = c.item_id WHERE n.date = ? AND i.label = ?",
                               (TONIGHT.isoformat(), "Dark, cool, quiet bedroom")).fetchone()
        finally:
            conn.close()
        return bool(row and row[0])

    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        for presses in (31, 30, 17):
            checklist.highlighted = 2
            for _ in range(presses):
                checklist.action_select()  # the toggle space makes, with no pause between
                checklist.highlighted = 2
            await settle(pilot)
            shown = checklist.get_option_at_index(2).value in checklist.selected
            assert stored_done() == shown, presses


async def test_the_trial_line_stays_while_the_dashboard_is_left_open(seeded):
    """The dashboard's once-a-second checks (the night, outside writes) leave what it shows alone:
    the trial line is still there seconds later."""
    app = app_for(with_plan(seeded, 20))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = app.screen.query_one("#trial-tonight")
        assert line.display and "no-magnesium period" in text_of(app, "#trial-tonight")
        await pilot.pause(2.5)  # real time: the 1-second and 2-second timers run
        await settle(pilot)
        assert line.display and line.region.height >= 1



async def test_a_tick_is_stored_as_ticked_when_a_reload_lands_before_its_handler(seeded):
    """A reload (a dose's save finishing) that redraws a checklist between a space and the
    handler of that space: the tick is stored as the person made it. The handlers read the state
    from the list when they ran, found the redrawn (stale) one and stored the opposite: under load,
    a dose then a space typed in one burst left "Screens off" unticked (test_type_ahead.py)."""
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for selector in ("#checklist", "#log-checklist"):
            if selector == "#log-checklist":  # the night editor's: History, enter on the newest night
                for key in ("h", "enter"):
                    await pilot.press(key)
                    await settle(pilot)
            night = app.screen.night if selector == "#log-checklist" else TONIGHT
            checklist = app.screen.query_one(selector)
            stale = read_back(seeded, checklist_for, night)
            item = next(c for c in stale if not c.done and c.label != "Take magnesium")
            checklist.toggle(item.item_id)  # the space
            checklist.show(stale)  # the reload, drawn before the space's handler runs
            await settle(pilot)
            assert {c.label: c.done for c in read_back(seeded, checklist_for, night)}[item.label] is True, selector
