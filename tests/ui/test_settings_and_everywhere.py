"""Settings reflected on the dashboard; welcome, help, palette, too-small and store errors."""

from __future__ import annotations

import hashlib

from magsleep.store.routine import list_items
from magsleep.store.settings import load_settings
from tests.support.app import SIZE, app_for, open_store, seed, settle, text_of


def read(path, fn):
    store = open_store(path)
    with store.reading() as s:
        result = fn(s)
    store.close()
    return result


async def test_checklist_items_add_rename_move_deactivate_show_on_the_dashboard(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("a", *"Herbal tea", "enter")
        await settle(pilot)
        await pilot.press("down")
        await pilot.press("r")
        box = app.screen.query_one("#item-input")
        box.value = "Phone in another room"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("up", "space")  # deactivate the first item
        await settle(pilot)
        app.screen.query_one("#items").highlighted = 6
        await pilot.press("shift+up")
        await settle(pilot)
        await pilot.press("a", "enter")  # an empty label is refused beside the field
        await settle(pilot)
        assert "is required" in text_of(app, "#item-error")
        await pilot.press("escape", "escape")
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        labels = [str(checklist.get_option_at_index(i).prompt) for i in range(checklist.option_count)]
    items = read(seeded, lambda s: list_items(session=s))
    assert [i.label for i in items][1] == "Phone in another room"
    assert items[0].label == "Take magnesium" and not items[0].active
    assert [i.label for i in items].index("Herbal tea") == 5
    assert "Take magnesium" not in labels and "Herbal tea" in labels and "Phone in another room" in labels


async def test_limit_and_default_form_settings_with_bad_values(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        for key, bad, message in [("daily_limit_mg", "lots", "not a number"), ("daily_limit_mg", "-1", "more than 0"),
                                  ("rollover_hour", "25", "at most 23"), ("first_weeks_length", "", "is required")]:
            box = app.screen.query_one(f"#pref-{key}")
            old = box.value
            box.value = bad
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert message in text_of(app, f"#pref-{key}-error")
            box.value = old
        assert read(seeded, lambda s: load_settings(session=s)).daily_limit_mg == 350
        app.screen.query_one("#pref-daily_limit_mg").value = "110"
        app.screen.query_one("#pref-default_form").value = "citrate"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "0 / 110 mg" in text_of(app, "#limit-bar")
        assert app.screen.query_one("#dose-form").value == "citrate"
    settings = read(seeded, lambda s: load_settings(session=s))
    assert (settings.daily_limit_mg, settings.default_form) == (110, "citrate")


async def test_first_run_welcome_is_shown_once(db_path):
    seed(db_path, nights=0, welcome_seen=False)
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "WelcomeScreen"
        assert "not medical advice" in app.screen.query_one("Markdown").source
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_help_lists_every_key_and_closes(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        text = "\n".join(str(w.visual.plain) for w in app.screen.query(".help-rows"))
        for expected in ("Jump to the dose amount", "Check and save the diary", "Filter: text",
                         "Bring back the night just deleted", "Add a checklist item", "Command palette"):
            assert expected in text
        await pilot.press("escape")
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_command_palette_goes_to_history(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to history")
        for _ in range(100):  # the palette searches in a worker: wait for its answer
            await pilot.pause()
            if app.screen.query("CommandList") and app.screen.query_one("CommandList").option_count:
                break
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "HistoryScreen"


async def test_a_small_terminal_gets_a_notice_then_the_dashboard(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "TooSmallScreen"
        assert "at least 80×24" in text_of(app, "#too-small")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"


async def test_a_database_that_fails_to_open_shows_why_and_exits_cleanly(db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_text("not a database\n")
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "StoreErrorScreen"
        assert "is not a SQLite database" in text_of(app, "#store-error-message")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


async def test_closing_help_does_not_reload_but_a_saved_change_does(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not list(app.workers)  # nothing was written, so nothing is read again
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#pref-daily_limit_mg").value = "200"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "0 / 200 mg" in text_of(app, "#limit-bar")
