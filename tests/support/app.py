"""Driving the real app in tests: a fixed clock, seeded databases copied from a template, and
settle(), which lets the app's workers finish."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 21, 30, tzinfo=LONDON)
TONIGHT = date(2026, 11, 25)
LAST_NIGHT = date(2026, 11, 24)
SIZE = (80, 24)


def clock() -> datetime:
    return NOW


_TEMPLATES: dict[tuple[int, bool], Path] = {}
"""Seeded databases made once per run and copied: a copy takes a fraction of a millisecond,
seeding 60 demo nights about a tenth of a second."""


def seed(path: Path, nights: int = 60, *, welcome_seen: bool = True) -> Path:
    """A demo database ending last night, like `magsleep demo` makes."""
    key = (nights, welcome_seen)
    template = _TEMPLATES.get(key)
    if template is None or not template.exists():
        template = Path(tempfile.mkdtemp(prefix="magsleep-template-")) / "template.db"
        _make(template, nights, welcome_seen=welcome_seen)
        _TEMPLATES[key] = template
        atexit.register(shutil.rmtree, template.parent, True)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copy2(template, path)  # closed cleanly: no -wal beside it, the whole database is in the file
    return path


def _make(path: Path, nights: int, *, welcome_seen: bool) -> None:
    from magsleep.domain.demo import demo_nights
    from magsleep.store.demo import write_demo
    from magsleep.store.engine import Store
    from magsleep.store.settings import save_setting

    store = Store.open(path)
    with store.writing() as session:
        if nights:
            write_demo(demo_nights(LAST_NIGHT, nights, LONDON), session=session)
        if welcome_seen:
            save_setting("welcome_seen", True, session=session)
    store.close()


def app_for(path: Path):
    from magsleep.ui.app import make_app

    return make_app(path, clock=clock)


async def settle(pilot, rounds: int = 1) -> None:
    """Let the app's workers finish and their results reach the screen: rounds go on while a
    result started another worker (one round when nothing more runs).

    A round waits for the workers, then once for a quiet CPU (`pilot.pause()`, at least 20 ms),
    in which the results' messages run; it ends only when no worker is running after that wait,
    so a worker started by a result is waited for too."""
    app = pilot.app
    for _ in range(rounds + 20):
        await pilot.pause(0)  # the messages queued so far handled: a key's handler may start a worker
        await app.workers.wait_for_complete()
        await pilot.pause()
        rounds -= 1
        if rounds <= 0 and not any(w.is_running for w in app.workers):
            break
    # What a result scheduled for after its frame (the dose form mounts after tonight's frame,
    # then fills itself after its own): each pause draws a frame and runs what waited for it.
    for _ in range(2):
        await pilot.pause(0)


async def wait_until(pilot, condition, seconds: float = 15.0) -> bool:
    """Real time passes (the app's own once-a-second and two-second watches run) until
    `condition()` holds, for at most `seconds` of the clock: a loaded machine runs the app's
    timers late, so a wait counted in steps (40 of 0.1 s) ran out before the app looked."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.25)
        await pilot.app.workers.wait_for_complete()
    return condition()


def open_store(path: Path):
    from magsleep.store.engine import Store

    return Store.open(path)


def text_of(app, selector: str) -> str:
    """The plain text a Static (or any widget) shows."""
    widget = app.screen.query_one(selector)
    if hasattr(widget, "options"):  # an OptionList: its lines
        return "\n".join(str(o.prompt) for o in widget.options)
    visual = widget.visual if hasattr(widget, "visual") else widget.render()
    plain = getattr(visual, "plain", None)
    return plain if plain is not None else str(visual)


def notices(app) -> list[str]:
    """The notifications on the screen now, as the person reads them: each toast's title and
    message. Textual's test runs show none unless the app runs with `run_test(notifications=True)`."""
    return [toast.render().plain for toast in app.screen.query("Toast")]


class CountedKeys:
    """Presses keys through a pilot and counts them, so "in seven keys" counts what was pressed."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.pressed: list[str] = []

    async def press(self, *keys: str) -> None:
        self.pressed.extend(keys)
        await self.pilot.press(*keys)
