"""Small frictions of a nightly user: a wrong dose taken back in a few keys, warnings before the
dose is saved, and panes that grow with a wide terminal."""

from __future__ import annotations

from tests.support.app import SIZE, app_for, settle, text_of
from tests.support.records import stored_total


async def test_a_mistaken_second_dose_is_removed_from_the_dose_pane_and_can_come_back(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", *"200", "enter")
        await settle(pilot)
        await pilot.press("a", *"150", "enter")  # the mistake
        await settle(pilot)
        assert stored_total(seeded) == 350
        await pilot.press("x")  # to tonight's doses, the newest highlighted
        assert app.focused.id == "dose-list"
        await pilot.press("x")  # asks
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await settle(pilot)
        assert stored_total(seeded) == 200
        assert "150 mg" not in text_of(app, "#dose-list") and "200 mg" in text_of(app, "#dose-list")
        assert "200 / 350 mg" in text_of(app, "#limit-bar")
        await pilot.press("u")  # it comes back
        await settle(pilot)
        assert stored_total(seeded) == 350
        assert "150 mg" in text_of(app, "#dose-list")


async def test_removing_the_last_dose_unticks_take_magnesium(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", *"200", "enter")
        await settle(pilot)
        assert "1/6 done" in str(app.screen.query_one("#tonight-pane").border_title)
        await pilot.press("x", "x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert stored_total(seeded) == 0
        assert text_of(app, "#dose-list") == "No dose logged tonight."
        assert "0/6 done" in str(app.screen.query_one("#tonight-pane").border_title)


async def test_the_total_and_its_warnings_show_while_the_amount_is_typed(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", *"300", "enter")
        await settle(pilot)
        preview = app.screen.query_one("#dose-preview")
        assert not preview.display
        await pilot.press("a", *"100")
        await pilot.pause()
        assert preview.display
        assert text_of(app, "#dose-preview").startswith("+100 → 400 / 350 mg: over the daily limit")
        assert preview.has_class("-warn")
        assert stored_total(seeded) == 300  # nothing saved before enter
        await pilot.press("backspace", "backspace", "backspace", *"20")
        await pilot.pause()
        assert text_of(app, "#dose-preview").startswith("+20 → 320 / 350 mg")
        assert "over" not in text_of(app, "#dose-preview")
        await pilot.press("backspace", "backspace", *"abc")  # not an amount yet: nothing guessed
        await pilot.pause()
        assert not preview.display


async def test_panes_grow_with_a_wide_terminal(seeded):
    for size, lo, hi in (((80, 24), 42, 42), ((200, 50), 55, 60)):
        app = app_for(seeded)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            left = app.screen.query_one("#dash-left").region.width
            trend = app.screen.query_one("#trend-pane").region.width
            assert lo <= left <= hi, (size, left)
            assert left + trend == size[0]
            if size[0] == 200:
                await pilot.press("h")
                await settle(pilot)
                table = app.screen.query_one("#history-table")
                assert "Dose→bed" in table.render_line(0).text
