"""Five years of a tracker (about 1,800 nights) import whole, and again add nothing. The time is
a benchmark figure (benchmarks/import_bench.py), not a timed test."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from .conftest import nights

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "import_bench.py"


def bench_module():
    spec = importlib.util.spec_from_file_location("import_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_five_years_of_sleepmeter_import_whole_and_a_second_time_add_nothing(run, tmp_path, db_path):
    path = tmp_path / "sleep_history.csv"
    path.write_text(bench_module().sleepmeter_file(5 * 365), encoding="utf-8")
    first = run("import", str(path))
    assert first.exit_code == 0, first.output
    assert "new: 1825" in first.stdout and "skipped: 183 (183 naps)" in first.stdout
    assert "magnesium tagged on 1216 nights" in first.stdout
    assert len(nights(db_path)) == 1825
    again = run("import", str(path))
    assert "new: 0" in again.stdout and "already there: 1825" in again.stdout


def test_the_import_benchmark_runs(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH), "--nights", "20"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "sleepmeter: 20 nights" in result.stdout and "apple-health:" in result.stdout
