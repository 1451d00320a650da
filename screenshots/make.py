"""Make the README's SVG screenshots from a seeded demo database: `python screenshots/make.py`.

Uses `make_app` with a fixed clock, like the snapshot tests, so the pictures are reproducible.
The report's first two printed pages are PNGs: Chromium prints the HTML report, pdftoppm draws them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from magsleep.domain.demo import demo_nights
from magsleep.render.report import write_report
from magsleep.store.demo import write_demo
from magsleep.store.engine import Store
from magsleep.store.settings import save_setting
from magsleep.ui.app import make_app

HERE = Path(__file__).parent
ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 21, 30, tzinfo=ZONE)

SHOTS = {  # name: (size, keys pressed before the picture, what the demo data gets first)
    "dashboard": ((100, 30), ["down", "space"], None),
    "dashboard-80x24": ((80, 24), [], None),
    "dose-over-limit": ((100, 30), ["a", *"400", "enter"], None),
    "dashboard-wide": ((200, 50), [], None),
    "forms": ((100, 30), ["f"], None),
    "morning-log": ((100, 30), ["l"], "unlogged"),
    "history": ((100, 30), ["h"], None),
    "settings": ((100, 30), ["s"], None),
    "help": ((100, 30), ["question_mark"], None),
    "trial-dashboard": ((100, 30), [], "trial-off-night"),
    "trial-insights": ((100, 40), ["i"], "trial-under-way"),
    "trial-screen": ((100, 40), ["p"], "trial-under-way"),
    # (run from the repository root: the path is typed as a person would)
    "import-preview": ((110, 32), ["ctrl+p", *"import", "enter", *"tests/fixtures/trackers/apple-health/export.xml",
                                   "enter"], None),
}


def seeded(path: Path, extra: str | None) -> Path:
    from magsleep.domain.n_of_1 import make_plan
    from magsleep.store.nights import delete_night
    from magsleep.store.trials import add_trial

    store = Store.open(path)
    with store.writing() as session:
        write_demo(demo_nights(date(2026, 11, 24), 120 if extra == "trial-under-way" else 75, ZONE), session=session)
        save_setting("welcome_seen", True, session=session)
        if extra == "unlogged":  # last night not logged yet: the log suggests the usual answers
            delete_night(date(2026, 11, 24), session=session)
        if extra in ("trial-off-night", "trial-under-way"):
            orders = iter(["off-on", "on-off", "on-off", "off-on"])
            start = date(2026, 11, 5) if extra == "trial-off-night" else date(2026, 8, 17)
            add_trial(make_plan(start, f"{start - timedelta(days=1)}T20:00:00+00:00", draw=lambda _: next(orders)),
                      start, session=session)
    store.close()
    return path


async def shoot(name: str, size: tuple[int, int], keys: list[str], extra: str | None, workdir: Path) -> None:
    app = make_app(seeded(workdir / f"{name}.db", extra), clock=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        for key in ["", *keys]:
            if key:
                await pilot.press(key)
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        app.save_screenshot(str(HERE / f"{name}.svg"))


def report_pages(workdir: Path) -> None:
    """screenshots/report-page1.png and -page2.png: the report as a clinician's printer gets it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or shutil.which("pdftoppm") is None:
        print("report pages skipped: needs chromium and pdftoppm (poppler-utils)")
        return
    store = Store.open(seeded(workdir / "report.db", None))
    with store.reading() as session:
        page = write_report(workdir / "report.html", "html", date(2026, 11, 24), session=session, made=NOW.date())
    store.close()
    pdf = workdir / "report.pdf"
    args = [chromium, "--headless", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
            f"--user-data-dir={workdir / 'chromium'}", f"--print-to-pdf={pdf}", page.as_uri()]
    if os.geteuid() == 0:  # Chromium's sandbox refuses to run as root
        args.insert(1, "--no-sandbox")
    subprocess.run(args, check=True, capture_output=True)
    subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "2", str(pdf), str(workdir / "page")], check=True)
    for n in (1, 2):
        shutil.copy(next(workdir.glob(f"page-*{n}.png")), HERE / f"report-page{n}.png")
        print(f"screenshots/report-page{n}.png")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, (size, keys, extra) in SHOTS.items():
            await shoot(name, size, keys, extra, Path(tmp))
            print(f"screenshots/{name}.svg")
        report_pages(Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())
