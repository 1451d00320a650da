"""Every real export from sleepdiary-core imports, or is refused with clear lines (exit 2): never
a traceback, and a refused file writes nothing."""

from __future__ import annotations

import pytest

from .conftest import FIXTURES, nights

SAMPLES = sorted(p for folder in ("sleepmeter", "plees-tracker", "sleep-as-android")
                 for p in (FIXTURES / folder).iterdir())


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_each_real_export_imports_or_is_refused_in_one_line_each(run, db_path, sample):
    result = run("import", str(sample))
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert "new: " in result.stdout and "already there: " in result.stdout and "skipped: " in result.stdout
        assert len(nights(db_path)) == int(result.stdout.split("new: ")[1].split()[0])
    else:
        assert result.exit_code == 2
        assert "nothing was imported" in result.stderr
        problems = result.stderr.splitlines()[1:]
        assert problems and all(line.startswith(("  line ", "  the file")) for line in problems), result.stderr
        assert not db_path.exists() or nights(db_path) == {}


def test_the_years_1900_and_2099_are_refused_naming_the_files_own_lines(run, db_path):
    # Custom sections (with quoted newlines) come first: the lines are the file's own.
    sample = FIXTURES / "sleepmeter" / "sleep_history_2020-11-25.1.csv"
    lines = sample.read_text(encoding="utf-8").split("\n")
    result = run("import", str(sample))
    assert result.exit_code == 2
    assert "line 14, field night: 2099-11-24 is in the future" in result.stderr
    assert lines[13].startswith('"2099-11-25 07:00+0100"')
    assert "line 25, field night: 1899-12-31 is too early" in result.stderr
    assert lines[24].startswith('"1900-01-02 00:00+0000"')


def test_a_one_minute_recording_is_skipped_as_too_short_not_refused(run, db_path):
    result = run("import", str(FIXTURES / "plees-tracker" / "plees-tracker.csv"), "--tz", "Europe/London")
    assert result.exit_code == 0, result.output
    assert "new: 0" in result.stdout
    assert "skipped: 3 (3 too short, under 3 hours)" in result.stdout
