"""magsleep benchmarks: `python benchmarks/run.py [--smoke] [--runs N] [--json FILE]`.

Measures the installed `magsleep` command in a real pseudo-terminal against baselines launched
the same way in the same run, and prints medians. `--smoke` uses tiny databases and one run, to
check that the benchmarks still work (CI runs that); the figures only mean something without it.

| what | how | target |
| first paint | launch to the dashboard's first frame (10 years) vs a bare Textual app | <= 1.5x |
| tonight ready | launch to tonight's checklist and doses on screen (10 years), same baseline | <= 2.5x |
| flat in size | tonight ready, 100 years vs 10 years | <= 1.15x |
| quick log | `magsleep dose 200` (10 years) vs `python -c "import sqlmodel, click"` | <= 1.5x |
| history | open History (10 years) until every row is reachable; 100 cursor moves | 200 ms; 16 ms |
| insights | every comparison and the verdict (10 years) | 250 ms |
| memory | peak RSS of the app on History (10 years) | 150 MB |
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).parent
# The script pip installed beside this interpreter, as a virtualenv runs it (a version manager's
# shim on PATH would add its own start-up, which the bare app launched by path does not pay).
_BESIDE = Path(sys.executable).parent / "magsleep"
MAGSLEEP = str(_BESIDE) if _BESIDE.exists() else shutil.which("magsleep") or "magsleep"
BARE_APP = '''
from textual.app import App
from textual.widgets import Footer, Header, Static

class Hello(App):
    def compose(self):
        yield Header()
        yield Static("Hello baseline")
        yield Footer()

Hello().run()
'''


def make_db(path: Path, nights: int) -> Path:
    """A demo database made by `magsleep demo`, with the first-run welcome already seen."""
    subprocess.run([MAGSLEEP, "--db", str(path), "demo", "--nights", str(nights)], check=True,
                   capture_output=True)
    conn = sqlite3.connect(path)
    conn.execute("INSERT OR REPLACE INTO setting VALUES ('welcome_seen', '1')")
    conn.commit()
    conn.close()
    return path


def launch(cmd: list[str], markers: list[str], *, keys: list[tuple[str, str]] = (), timeout: float = 60,
           size: tuple[int, int] = (100, 30)) -> dict[str, float]:
    """Run `cmd` in a pseudo-terminal; seconds from launch until each marker is on screen.

    `keys` are (after_marker, keys_to_send) pairs: once a marker appears the keys are typed.
    Also returns the peak RSS in MB as "rss_mb" (read just before the process is stopped).
    """
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    seen: dict[str, float] = {}
    screen = ""
    pending = list(markers)
    to_type = dict(keys)
    deadline = started + timeout
    try:
        while pending and time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536).decode(errors="replace")
            except OSError:
                break
            now = time.perf_counter()
            screen = (screen + chunk)[-200000:]
            for marker in list(pending):
                if marker in screen:
                    seen[marker] = now - started
                    pending.remove(marker)
                    if marker in to_type:
                        os.write(fd, to_type[marker].encode())
        seen["rss_mb"] = peak_rss_mb(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if pending:
        raise RuntimeError(f"{cmd[:3]}: never saw {pending}")
    return seen


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


async def history_and_insights(db: Path, runs: int) -> dict[str, float]:
    """In-process: History open time and cursor moves through the real App, and insights."""
    from datetime import date

    from magsleep.store.engine import Store
    from magsleep.store.insights_store import load_insights
    from magsleep.ui.app import make_app

    conn = sqlite3.connect(db)
    nights = conn.execute("SELECT count(*) FROM night").fetchone()[0]
    conn.close()
    opens, moves = [], []
    for _ in range(runs):
        app = make_app(db)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            started = time.perf_counter()
            await pilot.press("h")
            deadline = started + 60
            while True:
                table = app.screen.query("#history-table")
                if table and table.first().row_count == nights:
                    break
                if time.perf_counter() > deadline:
                    raise RuntimeError("History never showed every night")
                await pilot.pause(0.002)
            opens.append(time.perf_counter() - started)
            table = table.first()
            for _ in range(100):
                t = time.perf_counter()
                await pilot.press("down")
                moves.append(time.perf_counter() - t)
            assert table.cursor_row == min(100, nights - 1)
    # Pilot's press itself waits for the app to go idle: the same 100 presses on a bare DataTable
    # app are the floor that a cursor move cannot beat.
    from textual.app import App
    from textual.widgets import DataTable

    class Bare(App):
        def compose(self):
            table = DataTable(cursor_type="row")
            table.add_columns("a", "b")
            table.add_rows([(str(i), "x") for i in range(200)])
            yield table

    bare_moves = []
    for _ in range(runs):
        async with Bare().run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            for _ in range(100):
                t = time.perf_counter()
                await pilot.press("down")
                bare_moves.append(time.perf_counter() - t)
    store = Store.open(db)
    insight_times = []
    for _ in range(runs):
        with store.reading() as session:
            t = time.perf_counter()
            load_insights(date.today(), session=session)
            insight_times.append(time.perf_counter() - t)
    store.close()
    return {"history_open_s": median(opens), "history_move_s": median(moves), "bare_move_s": median(bare_moves),
            "insights_s": median(insight_times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny databases, one run: checks the benchmarks work")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement (default 5; smoke 1)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the figures")
    args = parser.parse_args()
    runs = args.runs or (1 if args.smoke else 5)
    sizes = {"1y": 365, "10y": 3650, "100y": 36500} if not args.smoke else {"1y": 20, "10y": 40, "100y": 80}

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dbs = {name: make_db(work / f"{name}.db", n) for name, n in sizes.items()}
        # The quick log writes: give it its own copy, so the dashboard runs keep "no dose tonight".
        dose_db = work / "dose-10y.db"
        shutil.copy(dbs["10y"], dose_db)
        bare = work / "bare.py"
        bare.write_text(BARE_APP)
        base_cmd = [sys.executable, str(bare)]
        app_cmd = [MAGSLEEP, "--db"]
        results: dict[str, list[float]] = {k: [] for k in (
            "bare_paint", "paint_10y", "ready_10y", "ready_100y", "import_baseline", "dose_10y", "rss_history_mb",
            "history_open_pty")}
        for _ in range(runs):
            results["bare_paint"].append(launch(base_cmd, ["Hello baseline"])["Hello baseline"])
            for name in ("10y", "100y"):
                # The checklist items and the dose list are only drawn once tonight is loaded.
                seen = launch([*app_cmd, str(dbs[name])], ["Tonight", "Take magnesium", "No dose logged tonight"])
                if name == "10y":
                    results["paint_10y"].append(seen["Tonight"])
                results[f"ready_{name}"].append(max(seen["Take magnesium"], seen["No dose logged tonight"]))
            # History is opened once the dashboard is idle (its verdict is on screen).
            seen = launch([*app_cmd, str(dbs["10y"])], ["95% CI", f"of {sizes['10y']} nights"],
                          keys=[("95% CI", "h")])
            results["rss_history_mb"].append(seen["rss_mb"])
            # In the real terminal: from typing h to the status line that counts every night.
            results["history_open_pty"].append(seen[f"of {sizes['10y']} nights"] - seen["95% CI"])
            results["import_baseline"].append(timed([sys.executable, "-c", "import sqlmodel, click"]))
            results["dose_10y"].append(timed([MAGSLEEP, "--db", str(dose_db), "dose", "200"]))
        inproc = asyncio.run(history_and_insights(dbs["10y"], runs))

    m = {k: median(v) for k, v in results.items()}
    rows = [
        ("first paint (10y) vs bare app", m["paint_10y"], m["bare_paint"], m["paint_10y"] / m["bare_paint"], "<= 1.5x"),
        ("tonight ready (10y) vs bare app", m["ready_10y"], m["bare_paint"], m["ready_10y"] / m["bare_paint"], "<= 2.5x"),
        ("tonight ready 100y vs 10y", m["ready_100y"], m["ready_10y"], m["ready_100y"] / m["ready_10y"], "<= 1.15x"),
        ("quick log (10y) vs import sqlmodel, click", m["dose_10y"], m["import_baseline"],
         m["dose_10y"] / m["import_baseline"], "<= 1.5x"),
    ]
    print(f"magsleep benchmarks ({'smoke' if args.smoke else 'full'}; medians of {runs} runs; sizes {sizes})")
    print(f"{'measure':44} {'magsleep':>10} {'baseline':>10} {'ratio':>7}  target")
    for label, value, base, ratio, target in rows:
        print(f"{label:44} {value * 1000:8.0f}ms {base * 1000:8.0f}ms {ratio:6.2f}x  {target}")
    print(f"{'history open (10y), real terminal':44} {m['history_open_pty'] * 1000:8.0f}ms {'':>10} {'':>7}  <= 200 ms")
    print(f"{'history open (10y), through Pilot':44} {inproc['history_open_s'] * 1000:8.0f}ms {'':>10} {'':>7}")
    print(f"{'history cursor move (median of 100), bare table':44} {inproc['history_move_s'] * 1000:8.1f}ms "
          f"{inproc['bare_move_s'] * 1000:8.1f}ms {'':>7}  <= 16 ms")
    print(f"{'insights (10y)':44} {inproc['insights_s'] * 1000:8.0f}ms {'':>10} {'':>7}  <= 250 ms")
    print(f"{'peak RSS on History (10y)':44} {m['rss_history_mb']:8.0f}MB {'':>10} {'':>7}  <= 150 MB")
    payload = {"smoke": args.smoke, "runs": runs, "sizes": sizes, "medians_s": m, "raw_s": results, **inproc,
               "ratios": {label: round(ratio, 3) for label, _, _, ratio, _ in rows}}
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
