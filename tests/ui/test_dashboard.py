"""The dashboard, driven with real keys: checklist, doses, the graph and the summary."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from magsleep.store.models import Dose, Night, RoutineCheck
from magsleep.ui.app import make_app
from tests.support.app import SIZE, TONIGHT, app_for, clock, open_store, settle, text_of


def tonight_checks(path):
    store = open_store(path)
    with store.reading() as s:
        rows = s.exec(select(RoutineCheck).join(Night, Night.id == RoutineCheck.night_id)
                      .where(Night.date == TONIGHT.isoformat())).all()
        result = {r.item_id: r.done for r in rows}
    store.close()
    return result


def tonight_doses(path):
    store = open_store(path)
    with store.reading() as s:
        rows = s.exec(select(Dose).join(Night, Night.id == Dose.night_id)
                      .where(Night.date == TONIGHT.isoformat())).all()
        result = [(r.form, r.amount_mg, r.amount_is, r.elemental_mg) for r in rows]
    store.close()
    return result


async def test_opens_on_the_checklist_and_a_tick_survives_a_restart(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused.id == "checklist"
        assert "0/6 done" in str(app.screen.query_one("#tonight-pane").border_title)
        await pilot.press("down", "space")
        await settle(pilot)
        assert "1/6 done" in str(app.screen.query_one("#tonight-pane").border_title)
    assert list(tonight_checks(seeded).values()) == [True]
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        checklist = app.screen.query_one("#checklist")
        assert len(checklist.selected) == 1
        await pilot.press("down", "enter")  # enter toggles too: this unticks it
        await settle(pilot)
    assert list(tonight_checks(seeded).values()) == [False]


async def test_ticking_take_magnesium_leads_to_the_dose_amount(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert app.focused.id == "dose-amount"


async def test_adding_doses_shows_the_total_and_the_limit_warning(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", *"200", "enter")
        await settle(pilot)
        assert "21:30 glycinate 200 mg" in text_of(app, "#dose-list")
        assert "200 / 350 mg" in text_of(app, "#limit-bar")
        assert not app.screen.query_one("#dose-warning").display
        assert app.screen.query_one("#dose-amount").value == ""
        assert app.focused.id == "checklist"  # back to the checklist for the rest of the evening
        await pilot.press("a", *"200", "enter")
        await settle(pilot)
        assert "400 / 350 mg" in text_of(app, "#limit-bar")
        warning = text_of(app, "#dose-warning")
        assert "above the 350 mg daily upper limit" in warning and "healthcare professional" in warning
    assert tonight_doses(seeded) == [("glycinate", 200, "elemental", 200)] * 2


async def test_compound_weight_is_converted(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#dose-form").value = "oxide"
        app.screen.query_one("#dose-amount-is").value = "compound"
        await pilot.press("a", *"500", "enter")
        await settle(pilot)
        assert "301.5 / 350 mg" in text_of(app, "#limit-bar")
    assert tonight_doses(seeded) == [("oxide", 500, "compound", 301.5)]


BAD_DOSES = [
    ("", None, "amount", "is required"),
    ("abc", None, "amount", "is not a number"),
    ("-5", None, "amount", "must be more than 0"),
    ("0", None, "amount", "must be more than 0"),
    ("9999999", None, "amount", "at most 5000"),
    ("200", "25:99", "time", "not a time of day"),
    ("200", "soon", "time", "is not a time"),
    ("200", "23:59", "time", "later than now"),
]


async def test_bad_dose_input_is_explained_beside_the_field_and_kept(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for amount, time, field, message in BAD_DOSES:
            amount_box = app.screen.query_one("#dose-amount")
            time_box = app.screen.query_one("#dose-time")
            amount_box.value = amount
            time_box.value = time if time is not None else "21:00"
            amount_box.focus()
            await pilot.press("enter")
            await settle(pilot)
            error = app.screen.query_one(f"#dose-{field}-error")
            assert error.display and message in text_of(app, f"#dose-{field}-error"), (amount, time)
            assert amount_box.value == amount  # what was typed stays
    assert tonight_doses(seeded) == []


async def test_graph_metric_and_range_switch_by_key(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        chart = app.screen.query_one("#trend")
        pane = app.screen.query_one("#trend-pane")
        assert "Efficiency % · last 30" in str(pane.border_title)
        assert chart.plotted["on"] and chart.plotted["off"]  # the demo has nights with and without
        shown = len(chart.plotted["x"])
        await pilot.press("r")  # 90 nights
        await settle(pilot)
        assert len(chart.plotted["x"]) > shown and "last 90" in str(pane.border_title)
        await pilot.press("m")
        assert "Total sleep" in str(pane.border_title)
        assert all(4 < y < 12 for y in chart.plotted["y"])  # hours
        summary = text_of(app, "#trend-summary")
        assert "of sleep logged" in summary and "with magnesium" in summary and "vs first 7" in summary


async def test_empty_and_single_night_graphs_are_friendly(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No sleep logged yet: press l to log your first morning." in text_of(app, "#trend-summary")
        assert app.screen.query_one("#trend").plotted == {}
    from magsleep.domain.sleep_diary import diary_from_clock
    from magsleep.store.nights import save_diary
    from tests.support.app import LAST_NIGHT, LONDON

    store = open_store(empty_db)
    with store.writing() as s:
        save_diary(LAST_NIGHT, diary_from_clock(LAST_NIGHT, LONDON, bed="23:00", tried=None, latency=10,
                                                awakenings=0, waso=0, final="07:00", up="07:00", quality=4),
                   session=s)
    store.close()
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        chart = app.screen.query_one("#trend")
        assert chart.plotted["y"] == [chart.points[0].se_pct]
        assert text_of(app, "#trend-summary") == (
            "1 night of sleep logged, 0 with magnesium · the 7-night comparison needs 14 nights")


async def test_a_change_asked_for_before_the_store_opens_waits_and_is_saved(seeded):
    from magsleep.store.settings import load_settings, save_setting

    opens = asyncio.Event()  # the store stays closed, as in the moment after the first frame
    app = make_app(seeded, clock=clock, open_when=opens)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.run_db(lambda s: save_setting("daily_limit_mg", "300", session=s), write=True)
        await settle(pilot)
        store = open_store(seeded)
        with store.reading() as s:
            assert load_settings(session=s).daily_limit_mg == 350  # waiting, not lost, not yet written
        store.close()
        opens.set()
        await settle(pilot)
        assert app.data_version == 1
    store = open_store(seeded)
    with store.reading() as s:
        assert load_settings(session=s).daily_limit_mg == 300
    store.close()
