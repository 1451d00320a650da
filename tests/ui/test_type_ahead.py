"""Keys typed ahead (issue 17): a burst of keys, none waiting for the one before, gives what the
same keys typed slowly give, in every form: morning log, night editor, dose form, settings and
History's go-to-date. Each test types its keys both ways into two databases and compares them."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from magsleep.store.nights import load_night
from magsleep.store.routine import checklist_for, list_items
from magsleep.store.settings import load_settings
from magsleep.ui.key_order import KeysInOrder
from tests.support.app import LAST_NIGHT, SIZE, TONIGHT, app_for, open_store, seed, settle, text_of

# The reporter's morning (issue 17), then ctrl+s.
DIARY_KEYS = [*"2245", "enter", *"2300", "enter", *"20", "enter", "1", "enter", *"10", "enter",
              *"0630", "enter", *"0645", "enter", "3", "enter", "3", "ctrl+s"]


def burst(app, keys: list[str]) -> None:
    """Post every key at once, as a terminal delivers keys typed faster than the app reads them."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def typed(path: Path, keys: list[str], *, fast: bool, before: tuple[str, ...] = ()):
    """Open the app on `path`, press `before` slowly, then `keys` (in one burst when `fast`)."""
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in before:
            await pilot.press(key)
            await settle(pilot)
        if fast:
            burst(app, keys)
        else:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
        await settle(pilot)
        return app, text_of(app, "#log-title") if app.screen.query("#log-title") else ""


def contents(path: Path) -> dict:
    """What the database holds for the last two nights, the checklist and the settings."""
    store = open_store(path)
    with store.reading() as s:
        out = {"diary": [getattr(load_night(n, session=s), "diary", None) for n in (LAST_NIGHT, TONIGHT)],
               "doses": [(d.form, d.amount_mg) for d in getattr(load_night(TONIGHT, session=s), "doses", ())],
               "checks": [(c.label, c.done) for c in checklist_for(TONIGHT, session=s)],
               "items": sorted((i.label, i.active) for i in list_items(session=s)),
               "settings": load_settings(session=s)}
    store.close()
    return out


async def both_ways(tmp_path: Path, keys: list[str], *, nights: int = 0, before: tuple[str, ...] = ()):
    results = []
    for fast in (False, True):
        path = seed(tmp_path / f"{'fast' if fast else 'slow'}.db", nights=nights)
        _, title = await typed(path, keys, fast=fast, before=before)
        results.append((contents(path), title))
    (slow, slow_title), (fast, fast_title) = results
    assert fast == slow
    assert fast_title == slow_title
    return fast, fast_title


async def test_a_morning_log_typed_in_one_burst_saves_what_slow_typing_saves(tmp_path: Path):
    # From the dashboard: l opens the log, and every key after it lands in the field it was meant for.
    saved, _ = await both_ways(tmp_path, ["l", *DIARY_KEYS])
    diary = saved["diary"][0]
    assert diary is not None
    assert (f"{diary.bed:%H:%M}", f"{diary.tried:%H:%M}", diary.latency_min, diary.awakenings, diary.waso_min,
            f"{diary.final:%H:%M}", f"{diary.up:%H:%M}", diary.quality, diary.rested) == \
        ("22:45", "23:00", 20, 1, 10, "06:30", "06:45", 3, 3)


@pytest.mark.long  # the same keys-in-order path as the default tests, in another form
async def test_the_night_editor_typed_in_one_burst_saves_what_slow_typing_saves(tmp_path: Path):
    # History, enter on last night: every answer is already there and each field is retyped.
    saved, title = await both_ways(tmp_path, DIARY_KEYS, nights=5, before=("h", "enter"))
    assert "night of Tuesday 24 November 2026" in title
    assert saved["diary"][0].latency_min == 20 and saved["diary"][0].waso_min == 10


async def test_a_dose_then_a_tick_typed_in_one_burst(tmp_path: Path):
    # a jumps to the amount, enter adds the dose and goes back to the checklist, space ticks.
    saved, _ = await both_ways(tmp_path, ["a", *"250", "enter", "space"], nights=3)
    assert saved["doses"] == [("glycinate", 250.0)]
    # The dose ticks "Take magnesium"; the highlight moved on, so space ticked the next item.
    assert [label for label, done in saved["checks"] if done] == ["Take magnesium", "Screens off an hour before bed"]


@pytest.mark.long  # the same keys-in-order path as the default tests, in another form
async def test_settings_typed_in_one_burst(tmp_path: Path):
    keys = ["a", *"Milk", "enter", "a", *"Tea", "enter", "tab", "tab", "tab", *"300", "ctrl+s"]
    saved, _ = await both_ways(tmp_path, keys, before=("s",))
    assert {"Milk", "Tea"} <= {label for label, _ in saved["items"]}
    assert saved["settings"].daily_limit_mg == 300


@pytest.mark.long  # the same keys-in-order path as the default tests, in another form
async def test_go_to_date_then_edit_typed_in_one_burst(tmp_path: Path):
    # g, a date, enter moves to that night, and the next enter opens that night (not the first row).
    _, title = await both_ways(tmp_path, ["g", *"2026-11-01", "enter", "enter"], nights=40, before=("h",))
    assert "night of Sunday 01 November 2026" in title


async def test_tab_typed_ahead_moves_before_the_next_key(tmp_path: Path):
    app = app_for(seed(tmp_path / "tab.db", nights=0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["l", *"2245", "tab", *"2300", "shift+tab", "end", "backspace"])
        await settle(pilot)
        assert app.screen.query_one("#log-bed").value == "224"
        assert app.screen.query_one("#log-tried").value == "2300"


class TwoFields(App[None]):
    """Textual's own key handling: enter moves on from a Submitted handler."""

    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")

    def on_input_submitted(self) -> None:
        self.screen.focus_next()


class TwoFieldsInOrder(KeysInOrder, TwoFields):
    """The same, with keys read in turn."""


async def test_the_burst_reproduces_the_bug_and_keys_in_order_fixes_it():
    # Guard the guard: the burst really outruns Textual (every key lands in the first field)…
    for app_class, expected in ((TwoFields, ("abcd", "")), (TwoFieldsInOrder, ("ab", "cd"))):
        app = app_class()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            burst(app, ["a", "b", "enter", "c", "d"])
            await settle(pilot)
            assert (app.query_one("#one", Input).value, app.query_one("#two", Input).value) == expected


async def test_a_paste_keeps_its_place_among_the_keys(tmp_path: Path):
    app = app_for(seed(tmp_path / "paste.db", nights=0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["l", "2", "2"])
        app.post_message(events.Paste("45"))
        burst(app, ["enter", *"2300"])
        await settle(pilot)
        assert app.screen.query_one("#log-bed", Input).value == "2245"
        assert app.screen.query_one("#log-tried", Input).value == "2300"
