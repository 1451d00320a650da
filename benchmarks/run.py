"""magsleep benchmarks: `python benchmarks/run.py [--smoke] [--first-frame] [--runs N] [--json FILE]`.

Measures the installed `magsleep` command in a real pseudo-terminal against baselines launched
the same way just before it, and prints medians (ratios: the median of each run's ratio).
`--smoke` uses tiny databases and one run, to check that the benchmarks still work (CI runs
that); the figures only mean something without it. `--first-frame` measures only the first two
rows (the bare app and the 10-year dashboard launched alternately), for a quick before/after.

| what | how | target |
| first paint | launch to the dashboard's first frame (10 years) vs a bare Textual app | <= 1.3x |
| tonight ready | launch to tonight's checklist and doses on screen (10 years), same baseline | <= 1.8x |
| flat in size | tonight ready, 100 years vs 10 years | <= 1.15x |
| quick log | `magsleep dose 200` (10 years) vs `python -c "import sqlmodel, click"` | <= 1.5x |
| history | typing h on the idle dashboard (10 years) until the status counts every night; typing
  Down 100 times, each until its frame is written (a bare DataTable app for comparison) | 200 ms; 16 ms |
| insights | every comparison and the verdict (10 years); again with a randomised trial | 250 ms |
| status | `magsleep status` (10 years) vs `python -c "import sqlite3"` | <= 3x |
| memory | peak RSS of the app on History (10 years) | 150 MB |
"""

from __future__ import annotations

import argparse
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
# Every headline the dashboard can show ends the loading chain; one of these is on screen then.
VERDICT_MARKS = ["95% CI", "Too few nights", "tell magnesium from time", "No clear difference", "on magnesium:",
                 "Randomised trial:", "Interim:"]
DONE = "/6 done"  # the checklist's count in its pane's title, drawn with tonight's doses
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
BARE_TABLE = '''
from textual.app import App
from textual.widgets import DataTable

class Table(App):
    def compose(self):
        table = DataTable(cursor_type="row")
        table.add_columns("row", "text")
        table.add_rows([(f"row {i}", "x" * 60) for i in range(200)])
        yield table

Table().run()
'''


def compile_package() -> None:
    """Cache magsleep's bytecode, as an installed app has it (pip compiles a wheel on install and
    Python caches on first import). Without it, where PYTHONDONTWRITEBYTECODE is set (as on these
    machines) every launch compiles magsleep from source, while Textual's bytecode is cached."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("magsleep")
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def make_db(path: Path, nights: int, src: Path | None = None) -> Path:
    """A demo database made by `magsleep demo` (the version in `src`, when given: a version
    refuses a newer one's file), with the first-run welcome already seen."""
    env = None if src is None else {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([MAGSLEEP, "--db", str(path), "demo", "--nights", str(nights)], check=True,
                   capture_output=True, env=env)
    conn = sqlite3.connect(path)
    conn.execute("INSERT OR REPLACE INTO setting VALUES ('welcome_seen', '1')")
    conn.commit()
    conn.close()
    return path


class Terminal:
    """A command running in a pseudo-terminal, read as a person's terminal would show it."""

    def __init__(self, cmd: list[str], size: tuple[int, int] = (100, 30)) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "xterm-256color"
            os.execvp(cmd[0], cmd)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.cmd = cmd
        self.screen = ""

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536).decode(errors="replace")
        except OSError:
            return False
        self.screen = (self.screen + chunk)[-200000:]
        return True

    def wait_for(self, markers: list[str], timeout: float = 60) -> dict[str, float]:
        """Seconds from launch until each marker is on screen."""
        seen: dict[str, float] = {}
        pending = list(markers)
        deadline = time.perf_counter() + timeout
        while pending and time.perf_counter() < deadline:
            if not self._read(0.05):
                continue
            now = time.perf_counter()
            for marker in list(pending):
                if marker in self.screen:
                    seen[marker] = now - self.started
                    pending.remove(marker)
        if pending:
            raise RuntimeError(f"{self.cmd[:3]}: never saw {pending}")
        return seen

    def wait_for_any(self, markers: list[str], timeout: float = 60) -> float:
        """Seconds from launch until one of the markers is on screen."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if any(marker in self.screen for marker in markers):
                return time.perf_counter() - self.started
            self._read(0.05)
        raise RuntimeError(f"{self.cmd[:3]}: never saw any of {markers}")

    def type(self, keys: str) -> float:
        """Type `keys`; returns the moment (seconds from launch) they were sent."""
        self.screen = ""
        os.write(self.fd, keys.encode())
        return time.perf_counter() - self.started

    def frame_after(self, keys: str, quiet: float = 0.02, timeout: float = 5) -> float:
        """Type `keys`; seconds until the app's answer is written (its last byte before `quiet`)."""
        sent = time.perf_counter()
        os.write(self.fd, keys.encode())
        last = None
        deadline = sent + timeout
        while time.perf_counter() < deadline:
            if self._read(quiet):
                last = time.perf_counter()
            elif last is not None:
                return last - sent
        raise RuntimeError(f"no answer to {keys!r}")

    def settle(self, seconds: float) -> None:
        """Read what the app writes for `seconds` (as a person looks at the screen)."""
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            self._read(max(0.0, until - time.perf_counter()))

    def close(self) -> float:
        """Stop the app; returns its peak RSS in MB."""
        rss = peak_rss_mb(self.pid)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return rss


def launch(cmd: list[str], markers: list[str], timeout: float = 60) -> dict[str, float]:
    """Seconds from launch until each marker is on screen."""
    term = Terminal(cmd)
    try:
        return term.wait_for(markers, timeout)
    finally:
        term.close()


def history_in_terminal(cmd: list[str], nights: int, *, idle: float, moves: int) -> dict[str, float]:
    """Open History from the dashboard (after `idle` seconds of looking at it), then move down.

    Returns the open time (typing h until the status line counts every night), the median
    cursor move (typing Down until the frame is written) and the peak RSS.
    """
    term = Terminal(cmd)
    try:
        term.wait_for_any(VERDICT_MARKS)  # the verdict: the dashboard has loaded everything
        term.settle(idle)
        sent = term.type("h")
        opened = term.wait_for([f"of {nights} nights"])[f"of {nights} nights"] - sent
        term.settle(0.3)
        times = [term.frame_after("\x1b[B") for _ in range(moves)]
    finally:
        rss = term.close()
    return {"open_s": opened, "move_s": median(times) if times else float("nan"), "rss_mb": rss}


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


def insights_in_process(db: Path, runs: int) -> float:
    """Median seconds for every comparison and the verdict, read from the database."""
    from datetime import date

    from magsleep.store.engine import Store
    from magsleep.store.insights import load_insights

    store = Store.open(db)
    times = []
    for _ in range(runs):
        with store.reading() as session:
            t = time.perf_counter()
            load_insights(date.today(), session=session)
            times.append(time.perf_counter() - t)
    store.close()
    return median(times)


def with_trial(db: Path, copy: Path) -> Path:
    """A copy of `db` with a randomised trial that began 200 nights ago (its pairs have data)."""
    from datetime import date, timedelta

    from magsleep.domain.n_of_1 import make_plan
    from magsleep.store.engine import Store
    from magsleep.store.trials import add_trial

    shutil.copy(db, copy)
    start = date.today() - timedelta(days=200)
    store = Store.open(copy)
    with store.writing() as session:
        add_trial(make_plan(start, f"{start}T20:00:00+00:00"), start, session=session)
    store.close()
    return copy


def bare_table_moves(cmd: list[str], moves: int) -> float:
    """Median cursor move in a bare Textual DataTable app: the floor for a frame in this terminal."""
    term = Terminal(cmd)
    try:
        term.wait_for(["row 0"])
        term.settle(0.3)
        return median([term.frame_after("\x1b[B") for _ in range(moves)])
    finally:
        term.close()


def first_frame(results: dict[str, list[float]], runs: int) -> None:
    """Print first paint and tonight ready (10 years) against the bare app, each run's own ratio."""
    print(f"first frame (medians of {runs} runs; ratios are medians of each run's ratio)")
    for key, target in (("paint_10y", "<= 1.3x"), ("ready_10y", "<= 1.8x")):
        ratios = [a / b for a, b in zip(results[key], results["bare_paint"])]
        print(f"{key:10} {median(results[key]) * 1000:6.0f}ms  bare {median(results['bare_paint']) * 1000:6.0f}ms  "
              f"{median(ratios):5.2f}x  {target}  (runs: {' '.join(f'{r:.2f}' for r in ratios)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny databases, one run: checks the benchmarks work")
    parser.add_argument("--first-frame", action="store_true",
                        help="only first paint and tonight ready (10 years) against the bare app")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement (default 5; smoke 1)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the figures")
    args = parser.parse_args()
    runs = args.runs or (1 if args.smoke else 5)
    sizes = {"1y": 365, "10y": 3650, "100y": 36500} if not args.smoke else {"1y": 20, "10y": 40, "100y": 80}
    if args.first_frame:  # only the 10-year database is launched
        sizes = {"10y": sizes["10y"]}

    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dbs = {name: make_db(work / f"{name}.db", n) for name, n in sizes.items()}
        # The quick log writes: give it its own copy, so the dashboard runs keep "no dose tonight".
        dose_db = work / "dose-10y.db"
        shutil.copy(dbs["10y"], dose_db)
        bare = work / "bare.py"
        bare.write_text(BARE_APP)
        base_cmd = [sys.executable, str(bare)]
        (work / "table.py").write_text(BARE_TABLE)
        moves = 10 if args.smoke else 100
        app_cmd = [MAGSLEEP, "--db"]
        results: dict[str, list[float]] = {k: [] for k in (
            "bare_paint", "paint_10y", "ready_10y", "ready_100y", "import_baseline", "dose_10y", "rss_history_mb",
            "history_open", "history_open_cold", "history_move", "bare_move", "sqlite_baseline", "status_10y")}
        for _ in range(runs):
            # A bare app just before each magsleep launch: the machine's speed drifts between runs,
            # so each ratio is taken against its own baseline and the ratios' median is reported.
            results["bare_paint"].append(launch(base_cmd, ["Hello baseline"])["Hello baseline"])
            for name in ("10y",) if args.first_frame else ("10y", "100y"):
                # The checklist items, their count and tonight's doses are only drawn once tonight is
                # loaded (the count, not "No dose logged tonight": before the rollover hour the
                # demo's last night is tonight, and it has a dose).
                seen = launch([*app_cmd, str(dbs[name])], ["Tonight", "Take magnesium", DONE])
                if name == "10y":
                    results["paint_10y"].append(seen["Tonight"])
                results[f"ready_{name}"].append(max(seen["Take magnesium"], seen[DONE]))
            if args.first_frame:
                continue
            # History as a person opens it: a second and a half after the dashboard has loaded.
            seen = history_in_terminal([*app_cmd, str(dbs["10y"])], sizes["10y"], idle=1.5, moves=moves)
            results["history_open"].append(seen["open_s"])
            results["history_move"].append(seen["move_s"])
            results["rss_history_mb"].append(seen["rss_mb"])
            # And typed the moment the verdict appears, before the rows have been read ahead.
            cold = history_in_terminal([*app_cmd, str(dbs["10y"])], sizes["10y"], idle=0, moves=0)
            results["history_open_cold"].append(cold["open_s"])
            results["bare_move"].append(bare_table_moves([sys.executable, str(work / "table.py")], moves))
            results["import_baseline"].append(timed([sys.executable, "-c", "import sqlmodel, click"]))
            results["dose_10y"].append(timed([MAGSLEEP, "--db", str(dose_db), "dose", "200"]))
            for _ in range(5):  # run on every prompt: quick, so several per run
                results["sqlite_baseline"].append(timed([sys.executable, "-c", "import sqlite3"]))
                results["status_10y"].append(timed([MAGSLEEP, "--db", str(dbs["10y"]), "status"]))
        if args.first_frame:
            first_frame(results, runs)
            return
        insights_s = insights_in_process(dbs["10y"], runs * 3)  # in-process and quick: more runs, steadier
        insights_trial_s = insights_in_process(with_trial(dbs["10y"], work / "trial-10y.db"), runs * 3)

    m = {k: median(v) for k, v in results.items()}

    def ratio(key: str, base: str) -> float:
        return median([a / b for a, b in zip(results[key], results[base])])

    rows = [
        ("first paint (10y) vs bare app", m["paint_10y"], m["bare_paint"], ratio("paint_10y", "bare_paint"), "<= 1.3x"),
        ("tonight ready (10y) vs bare app", m["ready_10y"], m["bare_paint"], ratio("ready_10y", "bare_paint"),
         "<= 1.8x"),
        ("tonight ready 100y vs 10y", m["ready_100y"], m["ready_10y"], ratio("ready_100y", "ready_10y"), "<= 1.15x"),
        ("quick log (10y) vs import sqlmodel, click", m["dose_10y"], m["import_baseline"],
         ratio("dose_10y", "import_baseline"), "<= 1.5x"),
        ("status (10y) vs import sqlite3", m["status_10y"], m["sqlite_baseline"],
         ratio("status_10y", "sqlite_baseline"), "<= 3x"),
    ]
    print(f"magsleep benchmarks ({'smoke' if args.smoke else 'full'}; medians of {runs} runs, ratios are medians of "
          f"each run's ratio; sizes {sizes})")
    print(f"{'measure':44} {'magsleep':>10} {'baseline':>10} {'ratio':>7}  target")
    for label, value, base, times, target in rows:
        print(f"{label:44} {value * 1000:8.0f}ms {base * 1000:8.0f}ms {times:6.2f}x  {target}")
    print(f"{'history open (10y)':44} {m['history_open'] * 1000:8.0f}ms {'':>10} {'':>7}  <= 200 ms")
    print(f"{'history open (10y), typed as the verdict shows':44} {m['history_open_cold'] * 1000:8.0f}ms")
    print(f"{f'history cursor move (median of {moves}) vs DataTable':44} {m['history_move'] * 1000:8.1f}ms "
          f"{m['bare_move'] * 1000:8.1f}ms {m['history_move'] / m['bare_move']:6.2f}x  <= 16 ms")
    print(f"{'insights (10y)':44} {insights_s * 1000:8.0f}ms {'':>10} {'':>7}  <= 250 ms")
    print(f"{'insights (10y) with a randomised trial':44} {insights_trial_s * 1000:8.0f}ms {'':>10} {'':>7}  <= 250 ms")
    print(f"{'peak RSS on History (10y)':44} {m['rss_history_mb']:8.0f}MB {'':>10} {'':>7}  <= 150 MB")
    payload = {"smoke": args.smoke, "runs": runs, "sizes": sizes, "medians_s": m, "raw_s": results,
               "insights_s": insights_s, "insights_trial_s": insights_trial_s,
               "ratios": {label: round(times, 3) for label, _, _, times, _ in rows}}
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
