"""The app's side of imports, driven with real keys: the import preview from the palette, and the
morning log of an imported night opening with the tracker's times filled in."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime

from textual.command import CommandList

from tests.ui.conftest import LAST_NIGHT, LONDON, SIZE, app_for, seed, settle, text_of

from .conftest import FIXTURES, nights


async def open_import_from_palette(pilot) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*"import")
    for _ in range(100):  # the palette searches in a worker
        await pilot.pause()
        found = pilot.app.screen.query(CommandList)
        if found and found.first().option_count:
            break
    await pilot.press("enter")
    await settle(pilot)


async def test_the_palette_opens_the_preview_and_ctrl_s_imports_all_the_new_nights(db_path, tmp_path, monkeypatch):
    seed(db_path, nights=0)
    shutil.copytree(FIXTURES / "fitbit", tmp_path / "fb")
    monkeypatch.chdir(tmp_path)
    app = app_for(db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_import_from_palette(pilot)
        assert type(app.screen).__name__ == "ImportPreviewScreen"
        await pilot.press(*"nowhere", "enter")
        await settle(pilot)
        assert "nowhere: no such file or folder" in text_of(app, "#import-path-error")
        await pilot.press(*["backspace"] * 7, *"fb", "enter")
        await settle(pilot, 2)
        summary = text_of(app, "#import-summary")
        assert "Fitbit: 3 nights found" in summary and "new: 3 (would be imported)" in summary, summary
        assert "already there: 0" in summary and "skipped: 1 (1 nap)" in summary
        assert app.screen.query_one("#import-table").row_count == 3
        assert nights(db_path) == {}  # the preview writes nothing
        await pilot.press("ctrl+s")
        await settle(pilot, 2)
        assert "Imported 3 nights" in text_of(app, "#import-summary")
    assert sorted(nights(db_path)) == ["2024-03-28", "2024-03-30", "2024-04-01"]


async def test_a_file_that_cannot_be_imported_says_why_beside_the_path(db_path, tmp_path, monkeypatch):
    seed(db_path, nights=0)
    (tmp_path / "x.csv").write_text("sid,start,stop,rating\n1,soon,later,3\n")
    monkeypatch.chdir(tmp_path)
    app = app_for(db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_import_from_palette(pilot)
        await pilot.press(*"x.csv", "enter")
        await settle(pilot, 2)
        error = text_of(app, "#import-path-error")
        assert "Nothing can be imported: line 2, field start: 'soon' is not a time" in error, error
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Preview a file first" in text_of(app, "#import-path-error")
    assert nights(db_path) == {}


async def test_the_morning_log_of_an_imported_night_has_its_times_and_asks_for_the_rest(db_path, tmp_path):
    seed(db_path, nights=0)
    start = datetime(LAST_NIGHT.year, LAST_NIGHT.month, LAST_NIGHT.day, 23, 5, tzinfo=LONDON)
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO night (date, bed, tried, awakenings, final, source, source_id) VALUES "
                 "(?, ?, ?, 2, ?, 'plees', '9')", (LAST_NIGHT.isoformat(), start.isoformat(), start.isoformat(),
                                                   start.replace(hour=6, minute=0, day=start.day + 1).isoformat()))
    conn.commit()
    conn.close()
    app = app_for(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        values = {f: screen.query_one(f"#log-{f}").value for f in ("bed", "tried", "latency", "awakenings",
                                                                     "waso", "final", "up", "quality")}
        assert values == {"bed": "23:05", "tried": "23:05", "latency": "", "awakenings": "2", "waso": "",
                          "final": "06:00", "up": "", "quality": ""}
        assert "Imported from Plees Tracker" in text_of(app, "#log-result")
        assert screen.query_one("#log-latency").has_focus  # the first answer a tracker cannot know
        await pilot.press(*"20", "enter", "enter", *"15", "enter", "enter", *"06:20", "enter", "4", "ctrl+s")
        await settle(pilot)
    row = nights(db_path)[LAST_NIGHT.isoformat()]
    assert (row["latency_min"], row["waso_min"], row["quality"]) == (20, 15, 4)
    assert row["up"].startswith(f"{LAST_NIGHT.replace(day=LAST_NIGHT.day + 1)}T06:20")
