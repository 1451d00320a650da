"""The reminder times in Settings: checked like every time, shown as HH:MM, used by the reminders."""

from __future__ import annotations

from datetime import time

import pytest

from magsleep.domain.errors import InvalidInput
from magsleep.domain.settings import parse_setting, setting_text, settings_from_text
from magsleep.store.settings import load_settings
from tests.ui.conftest import SIZE, app_for, open_store, seed, settle, text_of


def test_reminder_settings_parse_store_and_fall_back():
    assert parse_setting("evening_reminder", "22.15") == time(22, 15)
    assert setting_text(time(7, 5)) == "07:05"
    with pytest.raises(InvalidInput, match="not a time of day"):
        parse_setting("morning_reminder", "24:00")
    stored = settings_from_text({"evening_reminder": "garbage", "morning_reminder": "06:40"})
    assert (stored.evening_reminder, stored.morning_reminder) == (time(21, 30), time(6, 40))


async def test_settings_screen_checks_and_saves_the_reminder_times(db_path):
    path = seed(db_path)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        evening = app.screen.query_one("#pref-evening_reminder")
        assert evening.value == "21:30" and app.screen.query_one("#pref-morning_reminder").value == "07:30"
        assert evening.region.bottom <= SIZE[1] - 1, "the row is on screen at 80x24"
        evening.value = "9pm"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is not a time" in text_of(app, "#pref-evening_reminder-error")
        evening.value = "22.05"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#pref-evening_reminder-error").strip() == ""
    store = open_store(path)
    with store.reading() as s:
        assert load_settings(session=s).evening_reminder == time(22, 5)
    store.close()
