"""An open app and the database agree: writes from other processes, the rollover, ticks and doses.

Other processes are real `magsleep` commands run beside the open app on the same file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.ui.conftest import SIZE, TONIGHT, app_for, settle, text_of

MAGSLEEP = str(Path(sys.executable).with_name("magsleep"))


def magsleep(db: Path, *args: str) -> None:
    """A write from another shell (London time, like the app's fixed clock)."""
    subprocess.run([MAGSLEEP, "--db", str(db), *args], check=True, capture_output=True,
                   env={**os.environ, "TZ": "Europe/London"})


def stored_total(db: Path) -> float:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)  # SQLite only: no Python open() of the file
    try:
        (total,) = conn.execute("SELECT coalesce(sum(d.elemental_mg), 0) FROM dose d JOIN night n "
                                "ON n.id = d.night_id WHERE n.date = ?", (TONIGHT.isoformat(),)).fetchone()
    finally:
        conn.close()
    return float(total)


async def wait_until(pilot, condition, seconds: float = 8.0) -> bool:
    """Real time passes (the app's own 2-second watch runs), until `condition()` holds."""
    for _ in range(int(seconds / 0.25)):
        await pilot.pause(0.25)
        await pilot.app.workers.wait_for_complete()
        if condition():
            return True
    return condition()


async def test_outside_writes_in_the_same_window_as_the_apps_own_are_never_lost(seeded):
    """The app ticks while two other shells log a dose and an old night's diary, all within one
    2-second window: the open dashboard converges to the database, by itself, within seconds."""
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = text_of(app, "#trend-summary")
        assert before.startswith("58 nights logged")  # 2 demo nights have no diary
        await pilot.press("down", "space")  # the app's own write
        magsleep(seeded, "dose", "213", "--at", "2026-11-25T21:00")
        magsleep(seeded, "sleep", "--night", "2026-08-01", "--bed", "23:00", "--latency", "20",
                 "--final", "06:30", "--up", "06:45", "--quality", "3")
        await pilot.press("down", "space")  # and another, right after
        assert await wait_until(pilot, lambda: "213 mg" in text_of(app, "#dose-list")
                                and text_of(app, "#trend-summary").startswith("59 nights logged")), \
            (text_of(app, "#dose-list"), text_of(app, "#trend-summary"))
        assert stored_total(seeded) == 213
        # Two ticks here, and the outside dose ticked "Take magnesium".
        assert "3/6 done" in str(app.screen.query_one("#tonight-pane").border_title)
