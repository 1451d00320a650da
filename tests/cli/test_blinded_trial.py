"""The blinded trial (issue 23) through the real `magsleep` command: the sheet, what the database
(every byte) holds, refused sheets, the exact unblinding, guesses and the JSON contracts."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from magsleep.domain import blinding
from magsleep.domain.trial_plan import mapping_text
from tests.support.clock import at

MADE = datetime(2026, 3, 2, 20, 0)
PLAN = ("--baseline", "0", "--period", "4", "--pairs", "3", "--washout", "0")
FIRST, LAST = date(2026, 3, 2), date(2026, 3, 25)


def trial_row(db_path: Path) -> tuple:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT * FROM trial ORDER BY id DESC").fetchone()
    finally:
        conn.close()


def sheet_blind(sheet: Path) -> blinding.Blind:
    code = next(line for line in sheet.read_text().splitlines() if line.startswith("Unblinding code:"))
    return blinding.read_code(code.split(":", 1)[1])


@pytest.fixture
def blinded(run, db_path, tmp_path, monkeypatch) -> Path:
    at(monkeypatch, MADE)
    sheet = tmp_path / "sheet.txt"
    made = run("trial", "start", "--blind", "--sheet", str(sheet), *PLAN)
    assert made.exit_code == 0, made.output
    return sheet


def test_start_blind_writes_a_private_sheet_and_status_speaks_only_of_bags(run, db_path, blinded):
    assert stat.S_IMODE(blinded.stat().st_mode) == 0o600
    text = blinded.read_text()
    blind = sheet_blind(blinded)
    assert f"Bag {blind.magnesium_bag} holds magnesium" in text and "Fill 12 doses of each" in text
    assert "pair 3: bag" in text and f"last night {LAST}" in text
    status = json.loads(run("trial", "status", "--json").stdout)
    plan = status["plan"]
    assert plan["blinded"] is True and plan["unblinded_at"] is None
    assert plan["commitment"] == blind.commitment and len(plan["commitment"]) == 64
    assert {s["phase"] for s in status["schedule"]} == {"A", "B"}
    assert status["tonight"]["phase"] in ("A", "B") and "bag" in status["tonight"]["text"]
    assert status["result"]["direction"] == "sealed" and status["result"]["blinding"] is None
    words = run("trial", "status").stdout
    assert "sealed" in words and "magnesium period" not in words and "Better" not in words
    # A dose tonight is logged as tonight's bag.
    assert run("dose", "100").exit_code == 0 and run("dose", "50", "--note", "late").exit_code == 0
    bag = status["tonight"]["phase"]
    notes = [d["note"] for n in json.loads(run("export").stdout)["nights"] for d in n["doses"]]
    assert notes == [f"Bag {bag} (trial)", f"Bag {bag} (trial): late"]
    from magsleep.store.doses import delete_dose, restore_dose
    from magsleep.store.engine import Store

    db = Store.open(db_path)
    with db.writing() as session:  # undo of a delete: the label is not added twice
        restore_dose(delete_dose(1, session=session), session=session)
    db.close()
    notes = [d["note"] for n in json.loads(run("export").stdout)["nights"] for d in n["doses"]]
    assert sorted(notes) == [f"Bag {bag} (trial)", f"Bag {bag} (trial): late"]


def test_no_byte_of_the_database_its_wal_or_an_export_holds_the_mapping_salt_or_code(run, db_path, blinded):
    blind = sheet_blind(blinded)
    export = run("export").stdout.encode()
    assert json.loads(export)["trials"][0]["commitment"] == blind.commitment
    secrets = [blind.salt, blind.salt.hex().encode(), blind.salt.hex().upper().encode(), blind.code.encode(),
               blind.code.replace("-", "").encode(), mapping_text(blind.magnesium_bag).encode(),
               b"holds magnesium", b'"magnesium_bag": "']
    files = [db_path.read_bytes(), export]
    if Path(f"{db_path}-wal").exists():
        files.append(Path(f"{db_path}-wal").read_bytes())
    for blob in files:
        for secret in secrets:
            assert secret not in blob
    conn = sqlite3.connect(db_path)
    try:  # every table, every column: nothing but the commitment ties the plan to the sheet
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for row in conn.execute(f"SELECT * FROM {table}"):
                assert blind.salt.hex() not in repr(row) and "magnesium=" not in repr(row)
        assert conn.execute("SELECT magnesium_bag, salt FROM trial").fetchone() == (None, None)
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["file", "symlink", "dangling symlink"])
def test_a_sheet_is_never_written_over_a_file_or_through_a_link(run, db_path, tmp_path, kind):
    sheet, target = tmp_path / "sheet.txt", tmp_path / "target.txt"
    if kind == "file":
        sheet.write_text("mine")
    else:
        if kind == "symlink":
            target.write_text("mine")
        os.symlink(target, sheet)
    made = run("trial", "start", "--blind", "--sheet", str(sheet))
    assert made.exit_code == 2 and "--sheet" in made.stderr and "already exists" in made.stderr
    assert len(made.stderr.strip().splitlines()) == 1
    assert not target.exists() or target.read_text() == "mine"
    assert kind != "file" or sheet.read_text() == "mine"
    assert not db_path.exists() or trial_row(db_path) is None


def test_no_plan_is_stored_when_the_sheet_cannot_be_written(run, db_path, tmp_path):
    made = run("trial", "start", "--blind", "--sheet", str(tmp_path / "no such folder" / "sheet.txt"))
    assert made.exit_code == 2 and "does not exist" in made.stderr
    assert run("trial", "start", "--blind").exit_code == 2
    assert run("trial", "start", "--sheet", str(tmp_path / "s.txt")).exit_code == 2
    assert not db_path.exists() or trial_row(db_path) is None


def _other_sheet(run, tmp_path, monkeypatch) -> Path:
    """A sheet of another blinded plan (its own database), the same length and calendar shape."""
    from click.testing import CliRunner

    from magsleep.cli import cli

    other, sheet = tmp_path / "other.db", tmp_path / "other-sheet.txt"
    result = CliRunner().invoke(cli, ["--db", str(other), "trial", "start", "--blind", "--sheet", str(sheet), *PLAN])
    assert result.exit_code == 0, result.output
    return sheet


def edits(sheet: Path, tmp_path: Path) -> list[Path]:
    """The sheet with one thing changed each: the bag line, a calendar line, the code."""
    text, blind = sheet.read_text(), sheet_blind(sheet)
    other = "B" if blind.magnesium_bag == "A" else "A"
    flipped = blinding.Blind(blind.salt, other)
    changed = [text.replace(f"Bag {blind.magnesium_bag} holds magnesium", f"Bag {other} holds magnesium"),
               text.replace("pair 2: bag A", "pair 2: bag X").replace("pair 2: bag B", "pair 2: bag A"),
               text.replace(blind.code, flipped.code),
               text.replace(blind.code, blind.code[:-1] + ("A" if blind.code[-1] != "A" else "B")),
               text.replace("Unblinding code:", "Code:")]
    paths = []
    for i, body in enumerate(changed):
        assert body != text
        path = tmp_path / f"edited-{i}.txt"
        path.write_text(body)
        paths.append(path)
    return paths


def test_a_wrong_edited_or_swapped_sheet_is_refused_and_nothing_changes(run, db_path, blinded, tmp_path,
                                                                        monkeypatch):
    swapped = _other_sheet(run, tmp_path, monkeypatch)
    at(monkeypatch, datetime(2026, 3, 27, 9, 0))  # after the end: no confirmation in the way
    before = trial_row(db_path)
    bad = [swapped, *edits(blinded, tmp_path), tmp_path / "missing.txt"]
    for path in bad:
        result = run("trial", "unblind", str(path))
        assert result.exit_code == 2, (path, result.output)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    other_code = sheet_blind(swapped).code
    for code in (other_code, "AAAAA-BBBBB", "not a code!", sheet_blind(blinded).code[:-2]):
        assert run("trial", "unblind", "--code", code).exit_code == 2
    assert trial_row(db_path) == before
    assert json.loads(run("trial", "status", "--json").stdout)["plan"]["unblinded_at"] is None


def test_unblinding_maps_every_phase_exactly(run, db_path, blinded, monkeypatch):
    sealed = json.loads(run("trial", "status", "--json").stdout)["schedule"]
    blind = sheet_blind(blinded)
    at(monkeypatch, datetime(2026, 3, 27, 9, 0))
    opened = run("trial", "unblind", str(blinded))
    assert opened.exit_code == 0, opened.output
    assert f"bag {blind.magnesium_bag} held magnesium" in opened.stdout and "early" not in opened.stdout
    status = json.loads(run("trial", "status", "--json").stdout)
    expected = ["on" if s["phase"] == blind.magnesium_bag else "off" for s in sealed]
    assert [s["phase"] for s in status["schedule"]] == expected
    assert status["plan"]["unblinded_at"].startswith("2026-03-27") and status["result"]["sealed"] is False
    # The unblinding is checked on every read: the stored bag flipped is a damaged plan, not a new truth.
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE trial SET magnesium_bag = ?", ("B" if blind.magnesium_bag == "A" else "A",))
    conn.commit()
    conn.close()
    assert run("trial", "status").exit_code == 1
    again = run("trial", "unblind", str(blinded))
    assert again.exit_code == 2


def test_unblinding_early_asks_and_is_marked(run, db_path, blinded, monkeypatch):
    at(monkeypatch, datetime(2026, 3, 10, 9, 0))
    before = trial_row(db_path)
    declined = run("trial", "unblind", "--code", sheet_blind(blinded).code)  # no answer: aborted
    assert declined.exit_code == 1 and "unblind early?" in declined.stderr
    assert trial_row(db_path) == before
    opened = run("trial", "unblind", "--code", sheet_blind(blinded).code, "--yes")
    assert opened.exit_code == 0 and "Unblinded early" in opened.stdout
    result = json.loads(run("trial", "status", "--json").stdout)["result"]
    assert result["unblinded_early"] is True
    guess = run("trial", "guess", "A", "--night", "2026-03-09")
    assert guess.exit_code == 2 and "unblinded" in guess.stderr


def test_guesses_are_kept_and_shown_only_after_unblinding(run, db_path, blinded, monkeypatch):
    blind = sheet_blind(blinded)
    status = json.loads(run("trial", "status", "--json").stdout)
    bags = {date.fromisoformat(s["night"]): s["phase"] for s in status["schedule"]}
    # A person who can tell: right on every night but two.
    for i, night in enumerate(sorted(bags)):
        at(monkeypatch, datetime.combine(night + timedelta(days=1), datetime.min.time()).replace(hour=8))
        latency = (10 if bags[night] == blind.magnesium_bag else 30) + i % 5
        diary = run("sleep", "--bed", "23:00", "--latency", str(latency),
                    "--final", "06:30", "--up", "07:00", "--quality", "3")
        assert diary.exit_code == 0, diary.output
        assert run("dose", "100", "--at", f"{night}T22:00").exit_code == 0
        wrong = i in (3, 17)
        said = bags[night] if not wrong else ("B" if bags[night] == "A" else "A")
        assert run("trial", "guess", said.lower()).exit_code == 0
        sealed = json.loads(run("insights", "--json").stdout)["randomised_trial"]
        assert sealed["blinded"] is True and sealed["blinding"] is None and sealed["direction"] == "sealed"
        verdict = json.loads(run("insights", "--json").stdout)["verdict"]
        assert "sealed" in verdict and "Magnesium nights" not in verdict
    assert run("trial", "guess", "C").exit_code == 2
    assert run("trial", "guess", "A", "--night", "2026-04-30").exit_code == 2
    at(monkeypatch, datetime(2026, 3, 26, 13, 0))
    sealed = json.loads(run("insights", "--json").stdout)["randomised_trial"]
    sign = -1 if blind.magnesium_bag == "A" else 1
    assert sealed["a_minus_b"]["estimate"] == pytest.approx(sign * 20, abs=3)
    assert "Better" not in run("insights").stdout and "sealed" in run("trial", "status").stdout
    assert run("trial", "unblind", str(blinded)).exit_code == 0
    opened = json.loads(run("insights", "--json").stdout)["randomised_trial"]
    assert opened["blinding"] == {"guesses": 24, "correct": 22, "ci_low": pytest.approx(0.742, abs=0.001),
                                  "ci_high": pytest.approx(0.977, abs=0.001)}
    assert opened["direction"] == "better" and opened["estimate"] == pytest.approx(-20, abs=3)
    assert opened["deviations"] == 0
    report = run("report").stdout
    assert "a blinded randomised trial" in report and "guessed the bag right on 22 of 24" in report


def test_the_status_line_says_the_bag_never_magnesium(run, db_path, blinded, capsys):
    from magsleep import status_line

    bag = json.loads(run("trial", "status", "--json").stdout)["tonight"]["phase"]
    assert status_line.run(["--db", str(db_path), "status"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.endswith(f"· trial: bag {bag} night") and "magnesium night" not in out


def test_a_blinded_plan_travels_sealed_through_export_and_import(run, db_path, blinded, tmp_path, monkeypatch):
    exported = tmp_path / "export.json"
    exported.write_text(run("export").stdout)
    plan = json.loads(exported.read_text())["trials"][0]
    assert plan["blinded"] is True and "magnesium_bag" not in plan and "salt" not in plan
    from click.testing import CliRunner

    from magsleep.cli import cli

    other = tmp_path / "other.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(other), "import", str(exported)]).exit_code == 0
    status = json.loads(runner.invoke(cli, ["--db", str(other), "trial", "status", "--json"]).stdout)
    assert status["plan"]["fingerprint"] == plan["fingerprint"] and status["plan"]["blinded"] is True
    assert {s["phase"] for s in status["schedule"]} == {"A", "B"}
    # The commitment is covered by the fingerprint: a file that changes it is refused.
    tampered = tmp_path / "tampered.json"
    data = json.loads(exported.read_text())
    data["trials"][0]["commitment"] = "0" * 64
    tampered.write_text(json.dumps(data))
    refused = runner.invoke(cli, ["--db", str(tmp_path / "third.db"), "import", str(tampered)])
    assert refused.exit_code == 2 and "fingerprint" in refused.stderr


def test_an_open_plan_says_it_is_not_blinded(run, monkeypatch):
    at(monkeypatch, MADE)
    assert run("trial", "start", *PLAN).exit_code == 0
    at(monkeypatch, datetime(2026, 3, 4, 9, 0))
    status = json.loads(run("trial", "status", "--json").stdout)
    assert status["plan"]["blinded"] is False and status["plan"]["commitment"] is None
    trial = json.loads(run("insights", "--json").stdout)["randomised_trial"]
    assert trial["blinded"] is False and trial["blinding"] is None
    assert run("trial", "guess", "A").exit_code == 2
    assert run("trial", "unblind", "--code", "AAAAA").exit_code == 2


def test_a_refused_plan_leaves_no_sheet(run, db_path, blinded, tmp_path):
    second = tmp_path / "second-sheet.txt"
    again = run("trial", "start", "--blind", "--sheet", str(second))
    assert again.exit_code == 2 and "a trial is running" in again.stderr
    assert not os.path.lexists(second)
