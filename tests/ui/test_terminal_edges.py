"""The app at the edges of its terminal (issue 17): resizing across 80x24 while screens change,
the exit code after a failed save, the Tonight box with a trial line, and the welcome card."""

from __future__ import annotations

import random
from pathlib import Path

from tests.support.app import SIZE, app_for, seed, settle, text_of
from tests.support.records import with_plan

SMALL, BIG = (31, 17), (100, 30)


def notices(app) -> list[int]:
    """Where the too-small notices are in the screen stack."""
    return [i for i, screen in enumerate(app.screen_stack) if type(screen).__name__ == "TooSmallScreen"]


async def test_resizing_across_the_minimum_while_screens_change_keeps_one_notice_on_top(seeded):
    app = app_for(seeded)
    rng = random.Random(17)
    async with app.run_test(size=BIG) as pilot:
        await settle(pilot)
        for i in range(30):
            await pilot.press(rng.choice(["h", "i", "s", "f", "l", "escape", "question_mark", "ctrl+p"]))
            size = SMALL if i % 2 == 0 else BIG
            await pilot.resize_terminal(*size)
            await pilot.pause()
            top = len(app.screen_stack) - 1
            assert notices(app) == ([top] if size == SMALL else []), [type(s).__name__ for s in app.screen_stack]
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_behind_the_notice_help_and_the_palette_stay_shut(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("question_mark", "ctrl+p")
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack] == ["DashboardScreen", "TooSmallScreen"]


async def test_the_welcome_opened_under_the_notice_shows_once_there_is_room(db_path):
    app = app_for(seed(db_path, nights=0, welcome_seen=False))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack] == ["DashboardScreen", "WelcomeScreen", "TooSmallScreen"]
        await pilot.resize_terminal(*SIZE)
        await settle(pilot)
        assert type(app.screen).__name__ == "WelcomeScreen"


async def test_q_after_saving_exits_0(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "space")
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_tonight_box_scrolls_to_its_last_item_under_a_trial_line_and_a_warning(db_path: Path):
    for size in (SIZE, (100, 30)):
        path = db_path.with_name(f"t{size[0]}.db")
        app = app_for(with_plan(seed(path, nights=30), 20))  # a no-magnesium night
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("a", *"100", "enter")  # a deviation: its warning joins the trial line
            await settle(pilot)
            assert "deviation" in text_of(app, "#trial-tonight")
            pane, checklist = app.screen.query_one("#tonight-pane"), app.screen.query_one("#checklist")
            inside = pane.content_region
            assert checklist.region.bottom <= inside.bottom  # nothing drawn under the border
            await pilot.press("t", *["down"] * (checklist.option_count - 1))
            await pilot.pause()
            last = checklist.option_count - 1
            assert checklist.highlighted == last
            row = checklist.region.y + last - checklist.scroll_offset.y
            assert checklist.region.y <= row < checklist.region.bottom  # the last item is on screen
            assert f"/{checklist.option_count} done" in pane.border_title


async def test_the_welcome_card_keeps_start_on_screen_and_its_own_keys(db_path):
    for height in (24, 30, 33, 40):
        path = db_path.with_name(f"w{height}.db")
        app = app_for(seed(path, nights=0, welcome_seen=False))
        async with app.run_test(size=(80, height)) as pilot:
            await settle(pilot)
            assert type(app.screen).__name__ == "WelcomeScreen"
            start = app.screen.query_one("#welcome-start")
            assert start.region.bottom <= app.screen.query_one("#welcome").content_region.bottom <= height - 1
            footer = app.screen.query_one("KeysFooter")
            keys = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}
            assert footer.screen is app.screen and keys == {"dismiss_welcome", "app.help", "app.quit"}
            await pilot.press("question_mark")  # "Press ? any time"
            await settle(pilot)
            assert type(app.screen).__name__ == "HelpScreen"
            await pilot.press("escape", "enter")
            await settle(pilot)
            assert type(app.screen).__name__ == "DashboardScreen"
