"""Every command writes what the output encoding can carry, and never fails on it: run as a real
process under PYTHONIOENCODING=ascii and latin-1, on a database holding emoji, "→" and "≥"."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

NOTE = "family 👨‍👩‍👧 → ≥ 3 h café"
ENCODINGS = ("ascii", "latin-1")


def magsleep(*args: str, encoding: str, db: Path, **kwargs) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}  # keeps PYTHONPATH: the worktree's code
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "magsleep", "--db", str(db), *args], env=env,
                          timeout=120, **streams)


@pytest.fixture
def seeded(run, store, db_path, tmp_path) -> Path:
    """30 demo nights, then a dose, a diary and a checklist item whose text is not ASCII."""
    from magsleep import store as st

    assert run("demo", "--nights", "30", "--force").exit_code == 0
    assert run("dose", "100", "--note", NOTE).exit_code == 0
    assert run("sleep", "--bed", "23:00", "--latency", "10", "--final", "06:30", "--up", "07:00",
               "--quality", "3", "--note", NOTE).exit_code == 0
    with store.writing() as session:
        st.routine.add_item("Tisane → ≥ 🍵", session=session)
    night = {"night": "2025-01-05", "note": NOTE, "doses": [{"taken_at": "2025-01-05T21:00:00+00:00",
                                                             "form": "glycinate", "amount_mg": 100, "note": NOTE}]}
    (tmp_path / "in → ≥.json").write_text(json.dumps({"nights": [night]}), encoding="utf-8")
    return db_path


def check(result: subprocess.CompletedProcess[bytes], encoding: str, *, code: int = 0) -> str:
    """The output decodes in `encoding`, is one line of error at most and never a traceback."""
    err = result.stderr.decode(encoding)
    assert "Traceback" not in err and "Error" not in err, err
    assert result.returncode == code, err
    return result.stdout.decode(encoding)  # raises if a byte the encoding lacks got through


# The commands the reporter saw fail, run on every test run; the long variant runs every command.
QUICK = [("status",), ("insights",), ("report",)]
EVERY = QUICK + [("export",), ("export", "--format", "csv"),
    ("status", "--json"), ("insights", "--json"), ("report", "--format", "html"), ("forms",), ("forms", "--json"),
    ("guide",), ("--help",), ("trial", "status"), ("trial", "--help"), ("verify",), ("--version",),
    ("dose", "50", "--note", NOTE), ("dose", "5→"), ("sleep", "--help"),
    ("sleep", "--bed", "23:00", "--latency", "10", "--final", "06:30", "--up", "07:00", "--quality", "4",
     "--night", "2026-01-05", "--note", NOTE),
    ("import", "--dry-run", "{tmp}/in → ≥.json"), ("import", "{tmp}/missing → ≥.json"),
    ("backup", "{tmp}/copy {enc} → ≥.db"), ("export", "-o", "{tmp}/out {enc} → ≥.csv", "--format", "csv"),
    ("report", "-o", "{tmp}/report {enc} → ≥.html"),
]


def _run_all(commands, seeded: Path, tmp_path: Path) -> None:
    for encoding in ENCODINGS:
        for command in commands:
            args = [a.replace("{tmp}", str(tmp_path)).replace("{enc}", encoding) for a in command]
            result = magsleep(*args, encoding=encoding, db=seeded)
            refused = command[0] == "dose" and command[1] == "5→" or "missing" in command[-1]
            check(result, encoding, code=2 if refused else 0)


def test_the_reported_commands_write_what_the_encoding_carries(seeded, tmp_path):
    _run_all(QUICK, seeded, tmp_path)


@pytest.mark.long
def test_every_command_writes_what_the_encoding_carries(seeded, tmp_path):
    _run_all(EVERY, seeded, tmp_path)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_stand_ins_keep_the_meaning_and_json_stays_exact(seeded, encoding):
    status = check(magsleep("status", encoding=encoding, db=seeded), encoding)
    assert status.startswith("Mg tonight ") and (" - " if encoding == "ascii" else " · ") in status
    insights = check(magsleep("insights", encoding=encoding, db=seeded), encoding)
    assert "->" in insights and "→" not in insights
    # JSON escapes what the encoding lacks, so the export is still exact.
    exported = json.loads(check(magsleep("export", encoding=encoding, db=seeded), encoding))
    assert [d["note"] for n in exported["nights"] for d in n["doses"] if d["note"]] == [NOTE]
    csv = magsleep("export", "--format", "csv", encoding=encoding, db=seeded)
    text = check(csv, encoding)
    assert ("family ??? -> >= 3 h cafe" if encoding == "ascii" else "family ??? -> >= 3 h café") in text
    assert csv.stderr.decode(encoding).count("\n") == 1 and "-o FILE" in csv.stderr.decode(encoding)


def test_a_utf8_stream_is_left_alone(seeded):
    result = magsleep("export", "--format", "csv", encoding="utf-8", db=seeded)
    assert NOTE in result.stdout.decode("utf-8") and result.stderr == b""


def test_export_to_a_terminal_shows_controls_and_overrides(seeded):
    """A note edited in the database (ESC, a bidi override) reaches a terminal made visible."""
    import sqlite3

    with sqlite3.connect(seeded) as conn:
        conn.execute("UPDATE night SET note = ? WHERE note = ?", ("\x1b]0;pwned\x07 \u202eevil", NOTE))
    for fmt in ("csv", "json"):
        text, code = _on_a_terminal(seeded, "export", "--format", fmt)
        assert code == 0
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
        assert ("␛]0;pwned␇ <U+202E>evil" if fmt == "csv" else "<U+202E>evil") in text


def _on_a_terminal(db: Path, *args: str) -> tuple[str, int]:
    """Run magsleep with its stdout on a pseudo-terminal; what it wrote there, and its exit code."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen([sys.executable, "-m", "magsleep", "--db", str(db), *args], env=env,
                               stdout=terminal, stderr=subprocess.DEVNULL)
    os.close(terminal)
    out = b""
    try:
        while True:
            try:
                chunk = os.read(controller, 65536)  # read while it writes: a full terminal blocks it
            except OSError:  # EIO: the process has gone and the terminal is drained
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(controller)
    return out.decode("utf-8").replace("\r\n", "\n"), process.wait(timeout=120)
