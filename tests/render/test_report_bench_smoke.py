"""The report's benchmark still runs: `benchmarks/report_bench.py --smoke` (figures not checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent


def test_report_benchmark_smoke_run():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "report_bench.py"), "--smoke"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "report, last 90 nights of 120 (in-process):" in result.stdout and "ms CPU" in result.stdout
