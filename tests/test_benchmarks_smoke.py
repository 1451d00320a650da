"""The benchmarks still work: `benchmarks/run.py --smoke` on tiny databases (figures not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "smoke.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--json", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(out.read_text())
    assert data["smoke"] is True
    for key in ("bare_paint", "paint_10y", "ready_10y", "ready_100y", "dose_10y", "rss_history_mb",
                "history_open", "history_open_cold", "history_move", "bare_move"):
        assert data["medians_s"][key] > 0
    assert data["insights_s"] > 0
    assert "first paint (10y) vs bare app" in result.stdout
