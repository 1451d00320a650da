"""The morning log: saving a diary, pre-filling, and each bad answer beside its field."""

from __future__ import annotations

from magsleep.store.nights import load_night
from tests.support.app import LAST_NIGHT, SIZE, app_for, open_store, settle, text_of

GOOD = {"bed": "23:00", "tried": "23:00", "latency": "45", "awakenings": "2", "waso": "60",
        "final": "06:30", "up": "07:00", "quality": "3", "rested": "2"}


def stored(path):
    store = open_store(path)
    with store.reading() as s:
        record = load_night(LAST_NIGHT, session=s)
    store.close()
    return record


async def fill(app, answers):
    for field, value in answers.items():
        app.screen.query_one(f"#log-{field}").value = value


async def test_logging_last_night_shows_tib_tst_se_and_saves(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert app.focused.id == "log-bed"
        # Type the first answer for real, the rest by value.
        await pilot.press(*"23:00", "enter")
        assert app.focused.id == "log-tried"
        await fill(app, {k: v for k, v in GOOD.items() if k != "bed"})
        picker = app.screen.query_one("#log-symptoms")
        picker.focus()
        picker.highlighted = 1  # nausea
        await pilot.press("space")
        app.screen.query_one("#log-note").value = "late dinner"
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = text_of(app, "#log-result")
        assert "In bed 8h00" in result and "asleep 5h45" in result and "71.9%" in result
    record = stored(empty_db)
    assert record.metrics.tst_min == 345 and record.note == "late dinner"
    assert [s.kind for s in record.symptoms] == ["nausea"]


async def test_an_already_logged_night_opens_prefilled(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await fill(app, GOOD)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.press("l")
        await settle(pilot)
        assert app.screen.query_one("#log-final").value == "06:30"
        assert app.screen.query_one("#log-waso").value == "60"
        assert "71.9%" in text_of(app, "#log-result")


BAD_ANSWERS = [  # (changes to GOOD, the field named, what its message says)
    ({"bed": ""}, "bed", "is required"),
    ({"bed": "25:99"}, "bed", "not a time of day"),
    ({"latency": "ten"}, "latency", "is not a number"),
    ({"latency": "-5"}, "latency", "at least 0"),
    ({"latency": "99999"}, "latency", "at most 720"),
    ({"quality": "7"}, "quality", "at most 5"),
    ({"final": "23:10"}, "final", "before falling asleep"),
    ({"waso": "600"}, "waso", "longer than"),
    ({"up": "06:00"}, "up", "before the final awakening"),
    ({"bed": "00:30", "tried": "00:30", "latency": "10", "final": "00:20", "up": "07:00"}, "final",
     "before falling asleep"),
]


async def test_bad_answers_are_named_beside_their_field_and_nothing_is_saved(empty_db):
    app = app_for(empty_db)  # one app for every case, as a person correcting one answer after another
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        previous = None
        for changes, field, message in BAD_ANSWERS:
            await fill(app, {**GOOD, **changes})
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert message in text_of(app, f"#log-{field}-error"), changes
            assert app.focused.id == f"log-{field}", changes
            assert app.screen.query_one("#log-bed").value == {**GOOD, **changes}["bed"]
            if previous not in (None, field):  # the last message went once its answer was put right
                assert text_of(app, f"#log-{previous}-error") == "", changes
            previous = field
    assert stored(empty_db) is None


async def test_bedtime_after_midnight_is_the_same_night(empty_db):
    app = app_for(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        await fill(app, {**GOOD, "bed": "00:30", "tried": "00:40", "final": "07:30", "up": "07:45"})
        await pilot.press("ctrl+s")
        await settle(pilot)
    record = stored(empty_db)
    assert record.diary.bed.isoformat() == "2026-11-25T00:30:00+00:00"
    assert record.metrics.tib_min == 435
