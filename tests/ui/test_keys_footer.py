"""The footer shows the keys a screen has now: enabled and disabled as they are, though it skips
rebuilding when nothing it shows has changed."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.support.app import SIZE, app_for, seed, settle


def shown(app) -> dict[str, bool]:
    """Each footer key's action, and whether it is drawn enabled (a hidden key is left out)."""
    return {key.action: not key.has_class("-disabled") for key in app.screen.query(FooterKey)}


async def test_the_footer_follows_focus_and_skips_only_identical_rebuilds(db_path):
    app = app_for(seed(db_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = shown(app)
        assert "focus_tonight" not in keys  # on the checklist, esc has nowhere to go
        assert keys["add_dose"] and keys["quit"]
        before = list(app.screen.query(FooterKey))
        await pilot.press("down", "down")  # moving in the checklist changes no key
        await settle(pilot)
        assert list(app.screen.query(FooterKey)) == before
        await pilot.press("a")  # into the dose form: esc now leads back
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "dose-amount"
        assert shown(app).get("focus_tonight") is True
        await pilot.press("escape")
        await settle(pilot)
        assert "focus_tonight" not in shown(app)
