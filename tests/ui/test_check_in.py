"""The nightly check-in without friction: nothing hidden decides, the time stays current, every
part of a night can be reached, edits are not dropped, and ticked looks different from unticked."""

from __future__ import annotations

from datetime import timedelta

from magsleep.store.nights import load_night
from magsleep.ui.app import make_app
from tests.support.app import (
    LAST_NIGHT,
    NOW,
    SIZE,
    TONIGHT,
    CountedKeys,
    app_for,
    open_store,
    seed,
    settle,
    text_of,
    wait_until,
)
from tests.support.records import read_back


def unlogged_last_night(db_path):
    """Thirty demo nights, but last night not logged yet (the morning log's usual case)."""
    from magsleep.store.nights import delete_night

    seed(db_path, nights=30)
    store = open_store(db_path)
    with store.writing() as s:
        delete_night(LAST_NIGHT, session=s)
    store.close()


def night_record(path, night):
    return read_back(path, load_night, night)


async def test_a_hidden_percent_never_blocks_a_dose(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = app.screen.query_one("#dose-form")
        form.value = "other"
        await settle(pilot)
        app.screen.query_one("#dose-percent").value = "12"
        form.value = "citrate"
        await settle(pilot)
        await pilot.press("a", *"200 mg", "enter")
        await settle(pilot)
        assert not app.screen.query_one("#dose-form-error").display
        assert not app.screen.query_one("#dose-percent-error").display
    assert [d.form for d in night_record(empty_db, TONIGHT).doses] == ["citrate"]


async def test_the_dose_time_follows_the_clock_until_typed(empty_db):
    now = [NOW - timedelta(minutes=6)]
    app = make_app(empty_db, clock=lambda: now[0], clock_tick=0.05)  # the form looks every 50 ms, not 5 s
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#dose-time").value == "21:24"
        now[0] = NOW  # six minutes later, the form still open
        await pilot.pause(0.3)
        assert app.screen.query_one("#dose-time").value == "21:30"
        await pilot.press("a", *"100", "enter")
        await settle(pilot)
        # A time the person typed stays as typed, whatever the clock does.
        app.screen.query_one("#dose-time").value = "20:05"
        now[0] = NOW + timedelta(minutes=3)
        await pilot.pause(0.3)
        assert app.screen.query_one("#dose-time").value == "20:05"
        await pilot.press("a", *"50", "enter")  # after a dose the focus is back on the checklist
        await settle(pilot)
    assert [f"{d.taken_at:%H:%M}" for d in night_record(empty_db, TONIGHT).doses] == ["20:05", "21:30"]


async def test_times_and_amounts_written_naturally_are_understood(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#dose-time").value = "2115"
        await pilot.press("a", *"200mg", "enter")
        await settle(pilot)
    assert [(f"{d.taken_at:%H:%M}", d.amount_mg) for d in night_record(empty_db, TONIGHT).doses] == [("21:15", 200.0)]


async def test_ticked_and_unticked_differ_without_colour(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "space")
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        lines = ["".join(seg.text for seg in checklist.render_line(y)) for y in range(checklist.option_count)]
    assert "✓" in lines[1] and "Screens off" in lines[1]
    assert all("✓" not in line and "X" not in line.split()[0] for i, line in enumerate(lines) if i != 1)


async def test_the_night_editor_scrolls_and_asks_before_deleting_a_dose(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        log = app.screen.query_one("#log")
        assert log.max_scroll_y > 0  # the checklist and doses are below the diary
        await pilot.press("pagedown")
        await settle(pilot)
        assert log.scroll_y > 0
        doses = app.screen.query_one("#log-doses")
        assert doses.region.y < SIZE[1] or log.scroll_y == log.max_scroll_y


async def test_escape_asks_before_dropping_unsaved_answers(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("escape")  # nothing typed: leaves at once
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
        await pilot.press("l")
        await settle(pilot)
        await pilot.press(*"23:10", "escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(pilot)
        assert type(app.screen).__name__ == "MorningLogScreen"
        assert app.screen.query_one("#log-bed").value == "23:10"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_each_side_effect_keeps_its_own_severity(db_path):
    seed(db_path, nights=5)
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        picker = app.screen.query_one("#log-symptoms")
        picker.focus()
        picker.highlighted = 1  # nausea: mild
        await pilot.press("space")
        picker.highlighted = 2  # cramps: severe
        await pilot.press("space", "space", "space")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert "[✓] cramps · severe" in str(app.screen.query_one("#log-symptoms").get_option_at_index(2).prompt)
        await pilot.press("ctrl+s")  # saved unchanged
        await settle(pilot)
    assert sorted((s.kind, s.severity) for s in night_record(db_path, LAST_NIGHT).symptoms) == [("cramps", 3),
                                                                                               ("nausea", 1)]


async def test_writes_from_another_process_appear(seeded):
    from magsleep.domain.magnesium import dose_amount
    from magsleep.store.doses import add_dose

    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No dose logged tonight" in text_of(app, "#dose-list")
        # The usual dose, offered (the form fills itself once mounted, after tonight's frame).
        assert await wait_until(pilot, lambda: any(field.value for field in app.screen.query("#dose-amount")))
        store = open_store(seeded)  # another connection, as `magsleep dose 100` in another shell
        with store.writing() as s:
            add_dose(TONIGHT, NOW, dose_amount("citrate", "100"), session=s)
        store.close()
        assert await wait_until(pilot, lambda: "citrate" in text_of(app, "#dose-list"))  # it looks every 2 s
        await settle(pilot)
        assert "citrate 100 mg" in text_of(app, "#dose-list")
        assert app.check_outside_changes() is False  # seen once, not again
        # Tonight has its dose now: the offer is taken back, so enter cannot add a second one.
        assert app.screen.query_one("#dose-amount").value == ""
        await pilot.press("a", "enter")
        await settle(pilot)
        assert "amount" in text_of(app, "#dose-amount-error").lower()
        assert text_of(app, "#dose-list").count("mg") == 1


async def test_welcome_and_help_quit_on_q(db_path):
    app = app_for(seed(db_path, nights=0, welcome_seen=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "WelcomeScreen"
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 0 and not app.is_running
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the welcome again (quitting did not count as seeing it)
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        keys = [s.render().plain for s in app.screen.query(".help-rows")]
        assert sum(text.count("ctrl+p") for text in keys) == 1
        await pilot.press("q")
        await settle(pilot)
    assert not app.is_running


async def test_graph_and_summary_words(db_path):
    app = app_for(seed(db_path, nights=1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#trend-summary").startswith("1 night of sleep logged")


async def test_messages_name_their_field(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "enter")
        await settle(pilot)
        assert text_of(app, "#dose-amount-error") == "⚠ The amount is required"
        await pilot.press("escape", "l")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#log-bed-error").startswith("⚠ Got into bed is required")


async def test_no_invisible_tab_stop_in_the_morning_log(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        visited = []
        for _ in range(14):
            await pilot.press("tab")
            visited.append(app.focused.id if app.focused is not None else None)
        assert None not in visited and "log" not in visited
        assert visited.index("log-note") + 1 == visited.index("log-bed", visited.index("log-note"))


async def test_the_theme_is_remembered(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "textual-light"
        await settle(pilot)
    again = app_for(seeded)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "textual-light"


async def test_the_evening_check_in_in_seven_keys(seeded):
    """Dose as usual and every item ticked: space (tick Take magnesium: the usual dose is offered),
    enter (add it; back to the checklist, on the next item), then space for each other item."""
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        keys = CountedKeys(pilot)
        await settle(pilot)
        for key in ["space", "enter"] + ["space"] * 5:
            await keys.press(key)
            await settle(pilot)
        assert app.screen.query_one("#tonight-pane").border_title.endswith("6/6 done")
    record = night_record(seeded, TONIGHT)
    assert len(keys.pressed) == 7
    assert all(c.done for c in record.checks) and len(record.checks) == 6
    last = night_record(seeded, LAST_NIGHT).doses[-1]
    assert [(d.form, d.amount_mg, d.amount_is) for d in record.doses] == [(last.form, last.amount_mg, last.amount_is)]


async def test_a_usual_morning_in_ten_keys_and_nothing_unconfirmed_saved(db_path):
    """l, enter to accept each usual time and count (7), the quality, ctrl+s: 10 keys (the goal is
    at most 12)."""
    unlogged_last_night(db_path)
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        keys = CountedKeys(pilot)
        await settle(pilot)
        await keys.press("l")
        await settle(pilot)
        assert app.focused.id == "log-bed" and app.focused.placeholder[2] == ":"
        assert app.focused.value == ""  # a suggestion, not an answer
        usual = dict(app.screen.suggested)
        await keys.press(*["enter"] * 7, "4", "ctrl+s")
        await settle(pilot)
        assert "efficiency" in text_of(app, "#log-result")
    assert len(keys.pressed) == 10
    diary = night_record(db_path, LAST_NIGHT).diary
    assert f"{diary.bed:%H:%M}" == usual["bed"] and f"{diary.up:%H:%M}" == usual["up"]
    assert diary.quality == 4 and diary.rested is None


async def test_suggestions_are_not_saved_unless_confirmed(db_path):
    unlogged_last_night(db_path)
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        app.screen.query_one("#log-quality").value = "3"
        await pilot.press("ctrl+s")  # nothing confirmed: the times are still empty
        await settle(pilot)
        assert "Got into bed is required" in text_of(app, "#log-bed-error")
    assert night_record(db_path, LAST_NIGHT) is None or night_record(db_path, LAST_NIGHT).diary is None


async def test_settings_escape_asks_before_dropping_changes(seeded):
    from magsleep.store.settings import load_settings

    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("escape")  # nothing changed: leaves at once
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#pref-daily_limit_mg").value = "300"
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        await pilot.press("escape")  # saved: leaves at once
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
    store = open_store(seeded)
    with store.reading() as s:
        assert load_settings(session=s).daily_limit_mg == 300
    store.close()
