"""The insights screen and the dashboard's verdict line."""

from __future__ import annotations

from tests.support.app import SIZE, app_for, settle, text_of


async def test_dashboard_verdict_and_insights_screen(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        verdict = text_of(app, "#verdict")
        # The demo is a baseline, then mostly magnesium: its diary cannot tell magnesium from time.
        assert verdict.startswith("Time to fall asleep") and "since you started" in verdict
        assert "can't tell magnesium from time: a randomised trial can" in verdict and "95% CI" in verdict
        await pilot.press("i")
        await settle(pilot)
        assert type(app.screen).__name__ == "InsightsScreen"
        assert text_of(app, "#ins-verdict") == verdict.split(" First weeks:")[0]
        table = app.screen.query_one("#ins-on_off")
        assert table.row_count == 4 and table.get_row_at(0)[0] == "Sleep efficiency"
        assert " to " in table.get_row_at(0)[3]
        weeks = text_of(app, "#ins-first-weeks")
        assert "First weeks: night" in weeks or "First weeks done" in weeks
        await pilot.press("w")
        await settle(pilot)
    reports = sorted(seeded.parent.glob("magsleep-report-*"))
    assert sorted(p.suffix for p in reports) == [".html", ".md", ".svg", ".svg"]  # the Markdown's charts beside it
    markdown = next(p for p in reports if p.suffix == ".md")
    assert f"]({markdown.stem}-diary.svg)" in markdown.read_text()


async def test_too_few_nights_verdict_on_an_empty_database(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#verdict").startswith("Too few nights to tell yet")
