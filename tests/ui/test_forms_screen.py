"""The forms and cautions screen, the medicines reminder, and cautions where they matter."""

from __future__ import annotations

from magsleep.store.settings import load_settings, save_setting
from tests.support.app import SIZE, app_for, open_store, settle, text_of


async def test_forms_screen_lists_every_form_and_makes_a_default(seeded):
    app = app_for(seeded)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert type(app.screen).__name__ == "FormsScreen"
        options = app.screen.query_one("#forms-list")
        prompts = [options.get_option_at_index(i).prompt.plain for i in range(options.option_count)]
        assert prompts[0].startswith("glycinate / bisglycinate") and "14.1%" in prompts[0] and "709 mg" in prompts[0]
        assert "kidney" in text_of(app, "#forms-cautions").lower()
        options.highlighted = 1  # citrate
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#dose-form").value == "citrate"
    store = open_store(seeded)
    with store.reading() as s:
        assert load_settings(session=s).default_form == "citrate"
    store.close()


async def test_the_dose_form_reminds_of_spacing_for_listed_medicines(seeded):
    store = open_store(seeded)
    with store.writing() as s:
        save_setting("medicines", "Doxycycline 100 mg; omeprazole", session=s)
    store.close()
    app = app_for(seeded)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        reminder = text_of(app, "#dose-reminder")
        assert "4-6 hours after magnesium" in reminder and "Proton-pump" in reminder
        assert "mg" not in reminder.replace("magnesium", "")  # never a dose


async def test_no_reminder_without_medicines(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#dose-reminder").display


async def test_forms_from_the_palette_and_in_help(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.run_palette_command("forms")
        await settle(pilot)
        assert type(app.screen).__name__ == "FormsScreen"
        await pilot.press("question_mark")
        await settle(pilot)
        titles = [str(s.render()) for s in app.screen.query(".help-title")]
        assert any("Forms and cautions" in t for t in titles)
        assert any("kidney" in s.render().plain.lower() for s in app.screen.query(".hint"))


async def test_regular_bedtime_shows_the_usual_bedtime(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        prompts = [checklist.get_option_at_index(i).prompt.plain for i in range(checklist.option_count)]
    line = next(p for p in prompts if p.startswith("Regular bedtime"))
    assert line.startswith("Regular bedtime · usually ") and line[-3] == ":"


def test_the_report_has_regularity_timing_and_cautions(tmp_path):
    from click.testing import CliRunner

    from magsleep.cli import cli

    db = tmp_path / "r.db"
    CliRunner().invoke(cli, ["--db", str(db), "demo", "--nights", "30"])
    report = CliRunner().invoke(cli, ["--db", str(db), "report"]).stdout
    assert "## Regularity and timing" in report and "Sleep Regularity Index" in report
    assert "## Cautions" in report and "Tetracycline" in report and "4-6 hours" in report


async def test_m_cycles_to_the_regularity_graphs(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(4):
            await pilot.press("m")
        await settle(pilot)
        assert app.screen.query_one("#trend-pane").border_title.startswith("Midpoint SD min")
        chart = app.screen.query_one("#trend")
        assert chart.plotted["y"] and all(y >= 0 for y in chart.plotted["y"])
        assert "sleep midpoint varies by" in text_of(app, "#trend-summary")
        await pilot.press("m")
        await settle(pilot)
        assert app.screen.query_one("#trend-pane").border_title.startswith("Regularity index")
        assert all(-100 <= y <= 100 for y in app.screen.query_one("#trend").plotted["y"])
        await pilot.press("m")
        await settle(pilot)
        assert app.screen.query_one("#trend-pane").border_title.startswith("Efficiency")


async def test_the_cautions_come_first_in_view_at_80_by_24(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        cautions = app.screen.query_one("#forms-cautions")
        listing = app.screen.query_one("#forms-list")
        assert cautions.region.y < listing.region.y
        # On screen at the first frame: the cautions' first lines, not below the fold.
        assert 0 < cautions.region.y < SIZE[1] - 2 and cautions.region.height > 0
        assert app.screen.query_one("#forms").scroll_y == 0


async def test_moving_in_the_forms_list_brings_it_into_view(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        listing = app.screen.query_one("#forms-list")
        screen_rows = app.screen.query_one("#forms").region
        assert screen_rows.contains_region(listing.region), (screen_rows, listing.region)
        assert listing.highlighted == 2
