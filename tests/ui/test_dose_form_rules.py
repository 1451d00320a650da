"""The dose form keeps the domain's rules: no dose below what a label can state, and a time typed
with another UTC offset lands on the night of its instant (the same rules as `magsleep dose`)."""

from __future__ import annotations

from sqlmodel import select

from magsleep.store.engine import Store
from magsleep.store.models import Dose, Night
from tests.support.app import SIZE, app_for, settle, text_of


def stored_doses(path) -> list[tuple[str, str, float]]:
    store = Store.open(path)
    with store.reading() as s:
        rows = s.exec(select(Night.date, Dose.taken_at, Dose.elemental_mg)
                      .join(Night, Night.id == Dose.night_id).order_by(Dose.id)).all()
    store.close()
    return [tuple(r) for r in rows]


async def _type_dose(pilot, amount: str, time: str) -> None:
    app = pilot.app
    time_box = app.screen.query_one("#dose-time")
    time_box.value = ""
    time_box.focus()
    await pilot.press(*time)
    amount_box = app.screen.query_one("#dose-amount")
    amount_box.value = ""
    amount_box.focus()
    await pilot.press(*amount, "enter")
    await settle(pilot)


async def test_a_dose_too_small_to_state_is_refused_beside_the_field(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _type_dose(pilot, "0.0000001", "21:00")
        assert app.screen.query_one("#dose-amount-error").display
        assert "less than 0.1 mg" in text_of(app, "#dose-amount-error")
    assert stored_doses(empty_db) == []


async def test_a_time_with_another_offset_lands_on_the_night_of_its_instant(empty_db):
    app = app_for(empty_db)  # the clock says 21:30 on 25 Nov 2026 in London
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # 21:00 at +13:00 is 08:00 in London: the morning after the night of the 24th.
        await _type_dose(pilot, "150", "2026-11-25T21:00+13:00")
        assert not app.screen.query_one("#dose-time-error").display
    assert stored_doses(empty_db) == [("2026-11-24", "2026-11-25T08:00:00+00:00", 150.0)]
