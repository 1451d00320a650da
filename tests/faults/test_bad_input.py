"""Bad input everywhere a person types: a clear message or a valid value, never a traceback,
never a half-written row; and imports that are all-or-nothing."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date, timedelta

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magsleep.cli import cli

NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "-0", "0x10", "٣", "²", "1_000", " 12 ", "12:00:00",
                     "23:60", "24:00", "-1:30", "🙂", "\x00", "a" * 5000, "1" * 400, "١٢:٣٠"]),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def table_rows(db) -> tuple[int, ...]:
    if not db.exists():
        return (0, 0, 0)
    conn = sqlite3.connect(db)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("night", "dose", "symptom"))
    finally:
        conn.close()


def check(result, db, before) -> None:
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 2:
        assert result.stderr.startswith("magsleep: ") and table_rows(db) == before


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(amount=NASTY, at=NASTY, form=st.one_of(st.none(), NASTY), percent=st.one_of(st.none(), NASTY))
def test_dose_fields(tmp_path_factory, amount, at, form, percent):
    db = tmp_path_factory.mktemp("dose") / "m.db"
    args = ["--db", str(db), "dose", amount, "--at", at]
    args += ["--form", form] if form is not None else []
    args += ["--percent", percent] if percent is not None else []
    check(CliRunner().invoke(cli, args), db, table_rows(db))


@SETTINGS
@given(bed=NASTY, latency=NASTY, waso=NASTY, quality=NASTY, symptom=NASTY, note=NASTY, night=NASTY)
def test_sleep_fields(tmp_path_factory, bed, latency, waso, quality, symptom, note, night):
    db = tmp_path_factory.mktemp("sleep") / "m.db"
    args = ["--db", str(db), "sleep", "--night", night, "--bed", bed, "--latency", latency, "--awakenings", "1",
            "--waso", waso, "--final", "07:00", "--up", "07:10", "--quality", quality, "--symptom", symptom,
            "--note", note]
    check(CliRunner().invoke(cli, args), db, table_rows(db))


def good_night(day: int) -> dict:
    night = (date(2020, 1, 1) + timedelta(days=day)).isoformat()
    return {"night": night, "bed": f"{night}T23:00:00+00:00", "latency_min": 10, "awakenings": 0, "waso_min": 0,
            "final": f"{(date(2020, 1, 2) + timedelta(days=day)).isoformat()}T07:00:00+00:00",
            "up": f"{(date(2020, 1, 2) + timedelta(days=day)).isoformat()}T07:00:00+00:00", "quality": 3,
            "doses": [{"taken_at": f"{night}T22:00:00+00:00", "form": "citrate", "amount_mg": 150}],
            "routine": {"Take magnesium": True}, "symptoms": [], "note": None}


def test_a_bad_row_in_the_middle_of_a_thousand_good_ones(tmp_path, db_path):
    rows = [good_night(i) for i in range(1000)]
    rows[500]["waso_min"] = "lots"
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"nights": rows}, indent=2))
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path)])
    assert result.exit_code == 2 and "nothing was imported" in result.stderr
    starts = [i for i, text in enumerate(path.read_text().splitlines(), 1) if text == "    {"]
    assert f"line {starts[500]} (night 2021-05-15), field waso_min" in result.stderr, result.stderr
    assert table_rows(db_path) == (0, 0, 0)
    rows[500]["waso_min"] = 0
    path.write_text(json.dumps({"nights": rows}))
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path)])
    assert result.exit_code == 0 and table_rows(db_path) == (1000, 1000, 0)
    again = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path)])
    assert again.exit_code == 2 and "already in the database" in again.stderr
    assert table_rows(db_path) == (1000, 1000, 0)


def test_wrong_types_and_duplicates(tmp_path, db_path):
    rows = [good_night(i) for i in range(5)]
    rows[1]["quality"] = [3]
    rows[2]["doses"] = "200mg"
    rows[3]["routine"] = ["Take magnesium"]
    rows.append(good_night(0))
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"nights": rows}, indent=2))
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path)])
    assert result.exit_code == 2
    for expected in ("field quality", "field doses", "field routine", "appears twice"):
        assert expected in result.stderr
    assert table_rows(db_path) == (0, 0, 0)


def test_a_fifty_megabyte_file_is_all_or_nothing(tmp_path, db_path):
    rows = []
    for i in range(9000):  # nights from 2020 back to 1995 would be refused: dates start in 2000
        row = good_night(i - 7000)
        row["note"] = "n" * 1990
        row["doses"] = [dict(row["doses"][0], note="d" * 1990), dict(row["doses"][0], note="e" * 1990)]
        rows.append(row)
    rows[-3]["up"] = "yesterday"
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"nights": rows}, indent=1))
    assert path.stat().st_size > 50_000_000
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "import", str(path)])
    elapsed = time.monotonic() - started
    assert result.exit_code == 2 and "field up" in result.stderr, result.output[-500:]
    assert table_rows(db_path) == (0, 0, 0)
    assert elapsed < 120


APP_NASTY = ["nan", "inf", "-inf", "1e308", "🙂", "a" * 5000, "١٢:٣٠", "\x00", " ", "12:00:00", "-0", "²"]


async def test_every_app_field_with_nasty_text(tmp_path):
    from tests.support.app import SIZE, app_for, seed, settle

    db = seed(tmp_path / "app.db", nights=10)
    before = table_rows(db)
    app = app_for(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for value in APP_NASTY:
            app.screen.query_one("#dose-amount").value = value
            app.screen.query_one("#dose-time").value = value
            app.screen.query_one("#dose-amount").focus()
            await pilot.press("enter")
            await settle(pilot, rounds=1)
            errors = [app.screen.query_one(f"#dose-{field}-error").display for field in ("amount", "time")]
            assert any(errors)
        await pilot.press("escape", "l")
        await settle(pilot)
        fields = ["bed", "tried", "latency", "awakenings", "waso", "final", "up", "quality", "rested"]
        for value in APP_NASTY:
            for field in fields:
                app.screen.query_one(f"#log-{field}").value = value
            app.screen.query_one("#log-note").value = value * 3
            await pilot.press("ctrl+s")
            await settle(pilot, rounds=1)
            assert any(app.screen.query_one(f"#log-{f}-error").visual.plain for f in fields + ["note"])
    assert table_rows(db) == before
