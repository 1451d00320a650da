"""Text a person typed or a file brought is shown as text: never markup, never raw control codes.

Every test drives the real app with real keystrokes and asserts on what is drawn on screen or
stored in the database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from magsleep.store.routine import list_items
from tests.support.app import SIZE, app_for, open_store, settle, text_of

MARKUP_LABELS = ["Magnesium [/]", "Tea [chamomile]", "[b]bold[/b] [red]x", "$var [@click=app.quit]Q[/]"]


def rendered(widget) -> str:
    """What a widget draws, line by line, as the terminal would get it."""
    lines = []
    for y in range(widget.size.height):
        lines.append("".join(segment.text for segment in widget.render_line(y)))
    return "\n".join(lines)


def insert_label(path: Path, label: str) -> None:
    """A label written by another program (or an older magsleep): the app must still show it safely."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO routine_item (label, position, active) VALUES (?, 99, 1)", (label,))
    conn.close()


def labels_in(path: Path) -> list[str]:
    store = open_store(path)
    with store.reading() as s:
        items = list_items(session=s)
    store.close()
    return [i.label for i in items]


async def test_labels_typed_with_markup_are_saved_and_shown_as_typed(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        for label in MARKUP_LABELS:
            await pilot.press("a", *label, "enter")
            await settle(pilot)
        items = app.screen.query_one("#items")
        items_text = rendered(items)  # long labels wrap in the narrow pane: check each prompt as well
        item_prompts = [items.get_option_at_index(i).prompt for i in range(items.option_count)]
        # The same label again, differing only in case and spacing: refused beside the field.
        await pilot.press("a", *"magnesium  [/]", "enter")
        await settle(pilot)
        assert "already on the checklist" in text_of(app, "#item-error")
        assert "'Magnesium [/]'" in text_of(app, "#item-error")
        await pilot.press("escape", "escape")
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        prompts = [checklist.get_option_at_index(i).prompt for i in range(checklist.option_count)]
        checklist_text = rendered(checklist)
        assert app.is_running
    assert all(not isinstance(p, str) for p in prompts)  # Content, never a string parsed as markup
    for label in MARKUP_LABELS:
        assert any(label in p.plain for p in item_prompts)
        assert label in [p.plain for p in prompts]
    assert "Tea [chamomile]" in checklist_text and "Tea [chamomile]" in items_text
    assert all(not isinstance(p, str) for p in item_prompts)
    assert [label for label in labels_in(seeded) if label in MARKUP_LABELS] == MARKUP_LABELS
    # And the next start opens normally (a bad label used to hang every later start).
    again = app_for(seeded)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Magnesium [/]" in rendered(again.screen.query_one("#checklist"))
        assert again.screen.query_one("#tonight-pane").border_title.endswith("/10 done")


async def test_a_click_action_in_a_label_is_text_and_does_nothing(seeded, tmp_path):
    target = tmp_path / "victim"
    target.mkdir()
    label = f"[@click=app.screenshot('notes.txt','{target}')]Read[/]"
    insert_label(seeded, label)
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        assert "[@click=app.screenshot('notes.txt" in rendered(checklist)
        checklist.highlighted = checklist.option_count - 1
        await pilot.press("space")
        await settle(pilot)
        await pilot.click("#checklist", offset=(6, checklist.option_count - 1))
        await settle(pilot)
    assert list(target.iterdir()) == []


async def test_control_characters_in_a_stored_label_are_made_visible(seeded):
    insert_label(seeded, "Tea\x1b]0;pwned\x07 time\x1b[2J")
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        drawn = rendered(app.screen.query_one("#checklist"))
        await pilot.press("s")
        await settle(pilot)
        drawn += rendered(app.screen.query_one("#items"))
    assert "\x1b" not in drawn and "\x07" not in drawn
    assert "Tea␛]0;pwned␇ time␛[2J" in drawn


async def test_markup_typed_into_every_field_gets_a_message_and_keeps_the_text(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The dose amount and time.
        await pilot.press("a", *"[/]", "enter")
        await settle(pilot)
        assert "'[/]' is not a number" in text_of(app, "#dose-amount-error")
        app.screen.query_one("#dose-amount").value = "100"
        app.screen.query_one("#dose-time").value = "[b]"
        await pilot.press("enter")
        await settle(pilot)
        assert "'[b]' is not a time" in text_of(app, "#dose-time-error")
        # The morning log: the diary typed so far stays when the bedtime is refused.
        await pilot.press("escape", "l")
        await settle(pilot)
        await pilot.press(*"[/]", "enter", *"23:00", "enter", *"15", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "'[/]' is not a time" in text_of(app, "#log-bed-error")
        assert app.screen.query_one("#log-tried").value == "23:00"
        assert app.screen.query_one("#log-bed").value == "[/]"
        # History's go-to-date (leaving the unsaved diary is confirmed first).
        await pilot.press("escape", "y", "h")
        await settle(pilot)
        await pilot.press("g", *"[/]", "enter")
        await settle(pilot)
        assert "'[/]' is not a date" in text_of(app, "#history-input-error")
        assert app.is_running


async def test_fields_are_capped_while_typing_and_pastes_lose_their_control_codes(seeded):
    from textual import events

    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        note = app.screen.query_one("#log-note")
        note.focus()
        await pilot.pause()
        note.post_message(events.Paste("x" * 5000))
        await pilot.pause()
        assert len(note.value) == 2000
        bed = app.screen.query_one("#log-bed")
        bed.focus()
        await pilot.pause()
        bed.post_message(events.Paste("23\x1b[2J:00"))
        await pilot.pause()
        assert bed.value == "23[2J:00"
        await pilot.press(*("9" * 100))
        assert len(bed.value) <= 24
