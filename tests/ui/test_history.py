"""History: the table, filtering, jumping, editing, and delete with confirm and undo."""

from __future__ import annotations

import asyncio

from magsleep.store.engine import Store, make_engine
from magsleep.store.nights import count_nights, load_night
from magsleep.ui.app import make_app
from tests.support.app import LAST_NIGHT, SIZE, app_for, clock, notices, open_store, settle, text_of


def night_count(path):
    store = open_store(path)
    with store.reading() as s:
        n = count_nights(session=s)
    store.close()
    return n


async def open_history(pilot):
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)
    return pilot.app.screen.query_one("#history-table")


async def test_every_night_newest_first_with_keys_to_move(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(pilot)
        assert table.row_count == 60
        assert table.get_row_at(0)[0] == LAST_NIGHT.isoformat()
        assert text_of(app, "#history-status") == "60 of 60 nights"
        await pilot.press("pagedown")
        assert table.cursor_row > 5
        await pilot.press("ctrl+end")
        assert table.cursor_row == 59
        await pilot.press("ctrl+home")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 59
        await pilot.press("home", "down", "down")
        assert table.cursor_row == 2
        await pilot.press("up", "up", "up")  # stops at the first night
        assert table.cursor_row == 0


async def test_filter_on_off_month_and_text(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(pilot)
        await pilot.press("slash", *"on")
        on = table.row_count
        assert 0 < on < 60
        assert all(table.get_row_at(i)[1] != "—" for i in range(on))
        app.screen.query_one("#history-input").value = "off"
        await pilot.pause()
        assert table.row_count == 60 - on
        app.screen.query_one("#history-input").value = "2026-10"
        await pilot.pause()
        # 60 nights ending 24 November: all 31 October nights, and only those.
        assert table.row_count == 31
        assert all(table.get_row_at(i)[0].startswith("2026-10") for i in range(31))
        app.screen.query_one("#history-input").value = "zzz-nothing"
        await pilot.pause()
        assert table.row_count == 0 and "0 of 60 nights" in text_of(app, "#history-status")
        await pilot.press("escape")
        assert table.row_count == 60


async def test_dose_to_bed_column_joins_when_the_table_is_wide_enough(seeded):
    from magsleep.domain.dose_timing import dose_to_bed_min
    from magsleep.ui.screens.history import before_bed_cell

    store = open_store(seeded)
    with store.reading() as s:
        record = load_night(LAST_NIGHT, session=s)
    store.close()
    minutes = dose_to_bed_min([d.taken_at for d in record.doses], record.diary.tried)
    assert minutes is not None
    for width, shown in ((80, False), (100, True)):
        app = app_for(seeded)
        async with app.run_test(size=(width, 24)) as pilot:
            table = await open_history(pilot)
            header, first = table.render_line(0).text, table.render_line(1).text
            assert ("Dose→bed" in header) is shown
            assert (f" {before_bed_cell(minutes)} " in first) is shown
            assert len(header.rstrip()) <= width and "Side effects" in header


def test_dose_to_bed_cell_reads_minutes_hours_and_after():
    from magsleep.ui.screens.history import before_bed_cell

    assert [before_bed_cell(m) for m in (None, 0, 45, 99, 100, 125, -15, -130)] == [
        "—", "0 min", "45 min", "99 min", "1h40", "2h05", "-15 min", "-2h10"]


async def test_jump_to_a_date_and_a_bad_date(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(pilot)
        await pilot.press("g", *"2026-11-01", "enter")
        assert table.get_row_at(table.cursor_row)[0] == "2026-11-01"
        await pilot.press("g", *"31/12", "enter")
        assert "not a date" in text_of(app, "#history-input-error")


async def test_enter_opens_the_night_to_edit_diary_checklist_and_doses(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.night == LAST_NIGHT
        app.screen.query_one("#log-quality").value = "1"
        app.screen.query_one("#log-note").value = "edited from history"
        await pilot.press("ctrl+s")
        await settle(pilot)
        doses = app.screen.query_one("#log-doses")
        doses.focus()
        await pilot.press("x")  # asks first: n keeps the dose
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        assert "Delete this dose? " in text_of(app, "#confirm-question")
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#log-doses").option_count == 1
        await pilot.press("x", "y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert table.get_row_at(0)[7] == "1" and table.get_row_at(0)[1] == "—"
    store = open_store(seeded)
    with store.reading() as s:
        record = load_night(LAST_NIGHT, session=s)
    store.close()
    assert record.diary.quality == 1 and record.note == "edited from history" and record.doses == ()


async def test_delete_asks_first_and_can_be_undone(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(pilot)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # declined
        await settle(pilot)
        assert table.row_count == 60
        await pilot.press("down", "d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert table.row_count == 59 and night_count(seeded) == 59
        assert table.get_row_at(1)[0] != "2026-11-23"
        await pilot.press("u")
        await settle(pilot)
        assert table.row_count == 60 and night_count(seeded) == 60
        assert table.get_row_at(1)[0] == "2026-11-23"


async def test_history_opened_before_the_database_is_open_still_loads(seeded):
    opens = asyncio.Event()  # the database held back, as a slow disk would
    app = make_app(seeded, clock=clock, open_when=opens)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await settle(pilot)
        assert text_of(app, "#history-status") == "Loading nights…"
        opens.set()
        await settle(pilot)
        assert app.screen.query_one("#history-table").row_count == 60


async def test_rows_read_ahead_on_the_dashboard_are_in_historys_first_frame_and_a_save_refreshes_them(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.history.current()) == 60
        await pilot.press("h")
        await pilot.pause()  # one frame, no worker finished in between
        assert text_of(app, "#history-status") == "60 of 60 nights"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a", *"200", "enter")  # a dose tonight: a night History did not have
        await settle(pilot)
        assert app.history.rows is None or app.history.rows[0] == app.data_version
        await pilot.press("escape", "h")  # out of the dose form, then History
        await settle(pilot)
        assert text_of(app, "#history-status") == "61 of 61 nights"


async def test_history_opened_while_its_rows_are_being_read_waits_for_that_read(seeded):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    reads = []  # History's query as the database saw it

    def seen(_conn, _cursor, statement, *_args) -> None:
        if "FROM night n ORDER BY n.date DESC" in statement:
            reads.append(statement)

    opens = asyncio.Event()  # the read stays in flight until the store opens
    app = make_app(seeded, clock=clock, open_when=opens)
    event.listen(Engine, "before_cursor_execute", seen)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.history.read_ahead()
            got = []
            app.history.then(got.append)
            app.history.read_ahead()
            assert got == []
            opens.set()
            await settle(pilot)
            assert [len(rows) for rows in got] == [60]
            assert len(app.history.current()) == 60
            assert len(reads) == 1  # one read, asked for once
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


async def test_undo_never_overwrites_a_night_logged_again_after_the_delete(seeded):
    """Delete a night, log it again from another shell, press u: the new night stays, whole."""
    import subprocess
    import sys
    from pathlib import Path

    magsleep = Path(sys.executable).with_name("magsleep")
    app = app_for(seeded)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        table = await open_history(pilot)
        await pilot.press("down", "d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        subprocess.run([str(magsleep), "--db", str(seeded), "sleep", "--night", "2026-11-23", "--bed", "23:00",
                        "--latency", "40", "--final", "06:00", "--up", "06:30", "--quality", "2",
                        "--note", "NEW", "--symptom", "headache:2"], check=True, capture_output=True)
        await pilot.press("u")
        await settle(pilot)
        # Read through SQLite only: opening the file with Python here, in the app's own process,
        # would drop the app's POSIX locks on it.
        store = Store(seeded, make_engine(seeded, read_only=True), read_only=True)
        with store.reading() as s:
            night = load_night(LAST_NIGHT.replace(day=23), session=s)
        store.engine.dispose()
        assert night is not None and night.note == "NEW"
        assert [(x.kind, x.severity) for x in night.symptoms] == [("headache", 2)]
        assert night.diary is not None and night.diary.latency_min == 40
        assert not night.doses  # nothing of the deleted night merged in
        messages = notices(app)
        assert any("Not undone" in m and "logged again" in m for m in messages), messages
        assert not any("is back" in m for m in messages)
        await pilot.press("u")  # the undo is spent: it can never apply
        await settle(pilot)
        assert any("Nothing to undo." in m for m in notices(app))
        app.check_outside_changes()  # the 2-second watch, now
        await settle(pilot)
        assert table.row_count == 60
