"""`magsleep status`: one line for a prompt, without loading the heavy parts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from magsleep import status_line
from magsleep.status_line import line
from tests.support.clock import EVENING, at


def test_status_line_and_json(run, db_path, capsys, monkeypatch):
    from datetime import timedelta

    from magsleep import local_time
    from magsleep.domain.nights import last_night

    at(monkeypatch, EVENING)  # before the rollover hour, tonight is also the night to log
    run("dose", "150")
    assert status_line.run(["--db", str(db_path), "status"]) == 0
    text = capsys.readouterr().out.strip()
    # The first evening: there was no last night to log, so nothing is said about it.
    assert text == "Mg tonight 1/6 · 150 mg"
    assert status_line.run([f"--db={db_path}", "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["done"] == 1 and data["items"] == 6 and data["elemental_mg"] == 150.0
    assert data["last_night_logged"] is None and data["trial"] is None
    before = last_night(local_time.now()) - timedelta(days=1)  # a night before last, logged by a dose
    run("dose", "100", "--at", f"{before}T21:00")
    assert status_line.run(["--db", str(db_path), "status"]) == 0
    assert capsys.readouterr().out.strip() == "Mg tonight 1/6 · 150 mg · last night not logged"
    assert status_line.run(["--db", str(db_path), "dose", "5"]) is None  # any other command goes to click


def test_status_of_a_missing_database_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "nope" / "m.db"
    assert status_line.run(["--db", str(missing), "status"]) == 0
    assert "no database yet" in capsys.readouterr().out
    assert not missing.parent.exists()


def test_status_over_the_limit_and_through_click(run, db_path):
    run("dose", "400")
    result = run("status")  # click's command, for `magsleep --help` and odd option orders
    assert result.exit_code == 0 and "400 mg (over the limit)" in result.stdout


def test_status_loads_neither_textual_nor_sqlalchemy_nor_click(db_path):
    from magsleep.store.engine import Store

    Store.open(db_path).close()
    code = (
        "import sys\n"
        "from magsleep.status_line import run\n"
        f"run(['--db', {str(db_path)!r}, 'status'])\n"
        "heavy = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in ('textual', 'sqlalchemy', 'sqlmodel', 'click', 'rich'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]"), out


def test_line_words():
    assert line({"error": "no database yet"}) == "Mg · no database yet"
    data = {"done": 6, "items": 6, "elemental_mg": 200.0, "doses": 1, "limit_mg": 350, "last_night_logged": True,
            "trial": "Trial · pair 1 of 4 · no-magnesium period, night 3 of 14: no magnesium tonight.",
            "trial_phase": "off", "trial_deviation": False}
    assert line(data) == "Mg tonight 6/6 · 200 mg · last night logged · trial: no-magnesium night"
    assert line({**data, "trial_phase": "on"}).endswith(" · trial: magnesium night")
    assert line({**data, "trial_deviation": True}).endswith(" · trial: dose on a no-magnesium night (deviation)")


@pytest.mark.parametrize("sql", ["UPDATE trial SET pairs = pairs + 1", "UPDATE trial SET start = '9999-12-01'",
                                 "UPDATE trial SET created_at = 7"])
def test_status_of_a_tampered_trial_plan_shows_tonight_and_says_so(run, db_path, capsys, sql, monkeypatch):
    import sqlite3

    at(monkeypatch, EVENING)
    run("dose", "150")
    assert run("trial", "start").exit_code == 0
    conn = sqlite3.connect(db_path)
    conn.execute(sql)  # edited behind magsleep's back
    conn.commit()
    conn.close()
    assert status_line.run(["--db", str(db_path), "status"]) == 0  # a prompt must never break
    assert capsys.readouterr().out.strip() == "Mg tonight 1/6 · 150 mg · trial plan changed outside magsleep"
    assert run("trial", "stop").exit_code == 0
    assert status_line.run(["--db", str(db_path), "status"]) == 0
    assert capsys.readouterr().out.strip() == "Mg tonight 1/6 · 150 mg"
