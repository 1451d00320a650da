"""Every command, with its bad-input paths: exit code, one-line message, nothing written."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def test_dose_logs_elemental_and_the_total(run, exported):
    result = run("dose", "200", "--at", "2026-11-20T21:30")
    assert result.exit_code == 0, result.output
    assert "200 mg glycinate (elemental)" in result.stdout
    assert "for the night of 2026-11-20" in result.stdout
    assert "Night total: 200 of 350 mg daily limit." in result.stdout
    result = run("dose", "500", "--form", "oxide", "--compound", "--at", "2026-11-21T01:30")
    assert "= 301.5 mg elemental" in result.stdout and "for the night of 2026-11-20" in result.stdout
    assert "above the 350 mg daily upper limit" in result.stdout
    assert "healthcare professional" in result.stdout
    night = exported()[0]
    assert night["night"] == "2026-11-20" and night["elemental_mg"] == 501.5
    assert [d["amount_is"] for d in night["doses"]] == ["elemental", "compound"]


def test_dose_jump_is_pointed_out(run):
    for day in (10, 11, 12):
        run("dose", "100", "--at", f"2026-11-{day}T21:00")
    result = run("dose", "300", "--at", "2026-11-13T21:00")
    assert "jump" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["dose", "abc"], "amount: 'abc' is not a number"),
    (["dose", "-5"], "amount: must be more than 0 mg"),
    (["dose", "0"], "amount: must be more than 0 mg"),
    (["dose", "99999999"], "amount: must be at most 5000 mg"),
    (["dose", "nan"], "amount: 'nan' is not a number"),
    (["dose", "200", "--at", "25:99"], "--at: '25:99' is not a time of day"),
    (["dose", "200", "--at", "2099-01-01T20:00"], "is in the future"),
    (["dose", "200", "--form", "kryptonite"], "unknown form 'kryptonite'"),
    (["dose", "200", "--form", "other", "--compound"], "percent: give the % magnesium"),
    (["sleep", "--bed", "23:00", "--latency", "ten", "--final", "06:30", "--up", "07:00", "--quality", "3"],
     "latency: 'ten' is not a number"),
    (["sleep", "--bed", "25:99", "--latency", "10", "--final", "06:30", "--up", "07:00", "--quality", "3"],
     "bed: '25:99' is not a time of day"),
    (["sleep", "--bed", "23:00", "--latency", "10", "--final", "06:30", "--up", "07:00", "--quality", "9"],
     "quality: must be at most 5"),
    (["sleep", "--bed", "23:00", "--latency", "600", "--final", "06:30", "--up", "07:00", "--quality", "3"],
     "final: final awakening is before falling asleep"),
    (["sleep", "--bed", "23:00", "--latency", "10", "--final", "06:30", "--up", "07:00", "--quality", "3",
      "--symptom", "hiccups"], "unknown side effect 'hiccups'"),
    (["sleep", "--night", "2999-01-01", "--bed", "23:00", "--latency", "10", "--final", "06:30", "--up", "07:00",
      "--quality", "3"], "2999-01-01 is in the future"),
    (["sleep", "--bed", "23:00"], "Missing option"),
    (["export", "--format", "xml"], "'xml' is not one of"),
    (["import", "/nonexistent/file.json"], "no such file"),
    (["demo", "--nights", "-3"], "--nights: must be at least 1"),
    (["demo", "--nights", "lots"], "--nights: 'lots' is not a number"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(run, db_path, args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("magsleep: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not db_path.exists()


def test_sleep_logs_and_prints_the_metrics_and_replaces(run, exported):
    args = ["sleep", "--night", "2026-11-20", "--bed", "23:00", "--latency", "45", "--awakenings", "2",
            "--waso", "60", "--final", "06:30", "--up", "07:00", "--quality", "3"]
    result = run(*args, "--symptom", "nausea:2", "--note", "late dinner")
    assert result.exit_code == 0, result.output
    assert "in bed 8h00, asleep 5h45, efficiency 71.9%" in result.stdout
    assert "healthcare professional" in result.stdout
    run(*args[:-1], "5")
    nights = exported()
    # Logged again: the diary is replaced; side effects and the note stay unless given again.
    assert len(nights) == 1 and nights[0]["quality"] == 5
    assert nights[0]["symptoms"] == [{"kind": "nausea", "severity": 2}] and nights[0]["note"] == "late dinner"
    run(*args, "--symptom", "cramps:3")
    assert exported()[0]["symptoms"] == [{"kind": "cramps", "severity": 3}]
    assert nights[0]["bed"] == "2026-11-20T23:00:00+00:00"


def test_demo_refuses_a_non_empty_database_unless_forced(run, exported):
    assert run("demo", "--nights", "30").exit_code == 0
    result = run("demo", "--nights", "10")
    assert result.exit_code == 2 and "already holds 30 nights" in result.stderr
    assert len(exported()) == 30
    assert run("demo", "--nights", "10", "--force").exit_code == 0
    nights = exported()
    assert len(nights) == 10
    assert any(n["doses"] for n in nights)


def test_export_csv_and_import_round_trip(run, tmp_path, db_path):
    run("demo", "--nights", "40")
    out = tmp_path / "out.csv"
    assert run("export", "--format", "csv", "-o", str(out)).exit_code == 0
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 40 and {"tib_min", "tst_min", "se_pct", "elemental_mg"} <= set(rows[0])
    from click.testing import CliRunner

    from magsleep.cli import cli

    other = tmp_path / "other.db"
    runner = CliRunner()
    dry = runner.invoke(cli, ["--db", str(other), "import", str(out), "--dry-run"])
    assert dry.exit_code == 0 and "40 nights would import" in dry.stdout
    assert not other.exists()  # the dry run wrote nothing, not even an empty database
    done = runner.invoke(cli, ["--db", str(other), "import", str(out)])
    assert done.exit_code == 0
    again = runner.invoke(cli, ["--db", str(other), "export", "--format", "csv"])
    assert again.stdout == out.read_text()


def test_import_problem_names_line_and_field_and_imports_nothing(run, tmp_path, db_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nights": [{"night": "2026-01-01"}, {"night": "2026-01-02", "quality": 3,
                                          "bed": "nope"}]}, indent=1))
    result = run("import", str(bad))
    assert result.exit_code == 2
    assert "nothing was imported" in result.stderr and "line 6 (night 2026-01-02), field bed" in result.stderr
    assert not db_path.exists()  # a refused import does not even create the database


def test_backup_and_verify(run, db_path, tmp_path):
    run("demo", "--nights", "20")
    result = run("backup", str(tmp_path / "b.db"))
    assert result.exit_code == 0 and "Backed up to" in result.stdout
    conn = sqlite3.connect(tmp_path / "b.db")
    assert conn.execute("SELECT count(*) FROM night").fetchone()[0] == 20
    conn.close()
    assert run("verify").exit_code == 0
    default = run("backup")
    assert default.exit_code == 0 and list(db_path.parent.glob("magsleep-backup-*.db"))
    # Break a foreign key behind the store's back: verify must say so and exit 1.
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("INSERT INTO dose (night_id, taken_at, form, amount_mg, amount_is, elemental_mg) "
                 "VALUES (99999, '2026-01-01T22:00:00+00:00', 'glycinate', 1, 'elemental', 1)")
    conn.commit()
    conn.close()
    result = run("verify")
    assert result.exit_code == 1 and "foreign key" in result.stderr


@pytest.mark.parametrize("content", [b"", b"just text\n"])
def test_bad_database_file_is_one_line_and_untouched(run, db_path, content):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(content)
    result = run("export")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert db_path.read_bytes() == content


def test_magsleep_and_python_m_magsleep_both_run(tmp_path):
    env_db = str(tmp_path / "x.db")
    # The installed script beside this interpreter: the test must not depend on an activated venv.
    script = str(Path(sys.executable).with_name("magsleep"))
    for command in ([script], [sys.executable, "-m", "magsleep"]):
        result = subprocess.run([*command, "--db", env_db, "dose", "150", "--at", "2026-11-20T21:00"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "150 mg glycinate" in result.stdout
    result = subprocess.run([script, "--db", env_db, "dose", "lots"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr == "magsleep: amount: 'lots' is not a number\n"


def test_every_command_loads_from_the_module_the_group_names():
    import importlib

    import click

    from magsleep.cli.group import COMMAND_MODULES, cli

    ctx = click.Context(cli)
    for name in sorted(COMMAND_MODULES):
        assert cli.get_command(ctx, name) is not None, name
    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"magsleep.cli.{module}")
    assert set(cli.commands) == set(COMMAND_MODULES)  # none registered that the group cannot find
