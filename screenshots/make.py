"""Make the README's SVG screenshots from a seeded demo database: `python screenshots/make.py`.

Uses `make_app` with a fixed clock, like the snapshot tests, so the pictures are reproducible.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from magsleep.domain.demo import demo_nights
from magsleep.store.demo_store import write_demo
from magsleep.store.engine import Store
from magsleep.store.settings_store import save_setting
from magsleep.ui.app import make_app

HERE = Path(__file__).parent
ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 21, 30, tzinfo=ZONE)

SHOTS = {  # name: (size, keys pressed before the picture)
    "dashboard": ((100, 30), ["down", "space"]),
    "dashboard-80x24": ((80, 24), []),
    "dose-over-limit": ((100, 30), ["a", *"400", "enter"]),
    "morning-log": ((100, 30), ["l"]),
    "history": ((100, 30), ["h"]),
    "settings": ((100, 30), ["s"]),
    "help": ((100, 30), ["question_mark"]),
}


def seeded(path: Path) -> Path:
    store = Store.open(path)
    with store.writing() as session:
        write_demo(demo_nights(date(2026, 11, 24), 75, ZONE), session=session)
        save_setting("welcome_seen", True, session=session)
    store.close()
    return path


async def shoot(name: str, size: tuple[int, int], keys: list[str], workdir: Path) -> None:
    app = make_app(seeded(workdir / f"{name}.db"), clock=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        for key in ["", *keys]:
            if key:
                await pilot.press(key)
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        app.save_screenshot(str(HERE / f"{name}.svg"))


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, (size, keys) in SHOTS.items():
            await shoot(name, size, keys, Path(tmp))
            print(f"screenshots/{name}.svg")


if __name__ == "__main__":
    asyncio.run(main())
