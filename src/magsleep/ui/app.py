"""The magsleep App: the wiring that names screens, and the `make_app` factory used by the
command, the tests and the screenshots.

Everything a screen or widget uses (the clock, `run_db`, the data version, notifications) is in
`magsleep.ui.base`, which this module extends; nothing imports this module back but the command
and the tests. The database is opened in a thread worker after the first frame; before the store
(and SQLAlchemy) is ready, that worker reads tonight straight from the file so the checklist
shows at once.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.events import Resize
from textual.screen import Screen
from textual.theme import ThemeProvider

from magsleep import store
from magsleep.domain.settings import Settings
from magsleep.paths import data_dir, default_db_path
from magsleep.ui import screens
from magsleep.ui.base import MagsleepBase
from magsleep.ui.messages import DataChanged, TonightPeeked

if TYPE_CHECKING:
    from sqlmodel import Session
    from textual.command import Provider

    from magsleep.store.engine import Store
    from magsleep.store.tonight import TonightView


def _commands() -> type[Provider]:
    """The palette's provider, loaded when the palette first opens (textual.command is slow to import)."""
    return screens.palette.MagsleepCommands


MIN_WIDTH, MIN_HEIGHT = 80, 24


class MagsleepApp(MagsleepBase):
    """A nightly magnesium-and-sleep check-in."""

    CSS_PATH = "app.tcss"
    TITLE = "magsleep"
    SUB_TITLE = "magnesium & sleep"
    COMMANDS = App.COMMANDS | {_commands}

    def __init__(self, db_path: Path, *, private_dir: Path | None = None,
                 clock: Callable[[], datetime] | None = None, open_store: bool = True,
                 open_when: asyncio.Event | None = None, clock_tick: float = 5.0) -> None:
        super().__init__(db_path, clock=clock, clock_tick=clock_tick)
        self.private_dir = private_dir
        self._open_store = open_store
        self._open_when = open_when  # the store opens once this is set (tests: a slow disk)
        self._open_task: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- start-up

    def get_default_screen(self) -> Screen[Any]:
        # The dashboard is the first screen (pushed over an empty one, it cost a frame).
        return screens.dashboard.DashboardScreen()

    def on_mount(self) -> None:
        self._check_size(self.size.width, self.size.height)
        self._night = self.tonight()
        self.set_interval(self.NIGHT_SECONDS, self.check_new_night)
        if not self.is_headless:  # a real terminal (tests run headless and keep pytest's handlers)
            self._handle_signals()
        if self._open_when is not None:
            self._open_task = asyncio.create_task(self._open_after(self._open_when))
        elif self._open_store:
            # After the dashboard's first frame: the opening thread would slow it down.
            self.call_after_refresh(self._open)

    async def _open_after(self, gate: asyncio.Event) -> None:
        await gate.wait()
        self._open()

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _open(self) -> None:
        early = store.tonight.peek_tonight(self.db_path.expanduser(), self.now())
        if early is not None:
            painted = threading.Event()
            self.call_from_thread(self._peeked, early, painted)
            # SQLAlchemy's import below holds the GIL for a few hundred ms: it waits for the frame
            # that shows tonight, which it slowed down (benchmarks/run.py --first-frame).
            painted.wait(timeout=self.PEEK_FRAME_SECONDS)
        try:  # the first use of the store's engine: SQLAlchemy loads here, in this thread
            opened = store.engine.Store.open(self.db_path, private_dir=self.private_dir)
            with opened.reading() as session:
                settings = store.settings.load_settings(session=session)
        except store.errors.StoreError as err:
            self.call_from_thread(self._open_failed, str(err))
            return
        except Exception as err:  # any failure: never stay on "Opening your data…" silently
            self.call_from_thread(self._open_failed, f"cannot open {self.db_path}: {err}")
            return
        self.call_from_thread(self._opened, opened, settings)

    def _handle_signals(self) -> None:
        """SIGTERM and SIGHUP end the app the way q does, so the terminal is given back (Python's
        default ended the process at once, in the alternate screen with mouse reporting on)."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            # 128 + the signal's number: what a shell reports for a process ended by it.
            loop.add_signal_handler(signum, partial(self.exit, return_code=128 + signum))

    PEEK_FRAME_SECONDS = 0.5
    """How long the opening thread waits for tonight's frame before it loads SQLAlchemy anyway."""

    def _peeked(self, view: TonightView, painted: threading.Event) -> None:
        if self.store is None:
            self.settings_rollover = view.settings.rollover_hour
            self.tell_screens(TonightPeeked, view)
        # Queued behind TonightPeeked on the screen in front: set once the frame showing it is drawn.
        self.screen.call_after_refresh(painted.set)

    @staticmethod
    def _collect_again() -> None:
        """Garbage collection, paused by `magsleep` for the start-up (collecting while Textual,
        the first frame and SQLAlchemy were made cost 12 ms of a 190 ms first frame and 25 ms to
        tonight), resumes. What the start-up made lives as long as the app: frozen, later
        collections never walk it again (gc.freeze)."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def _opened(self, opened: Store, settings: Settings) -> None:
        self._collect_again()
        self.settings_rollover = settings.rollover_hour
        if settings.theme and settings.theme in self.available_themes:
            self.theme = settings.theme  # before the store is set: not saved back
        self.store = opened
        self._watch_outside_changes()
        waiting, self._waiting = self._waiting, []
        for job in waiting:
            self._db_worker(*job)
        # A screen opened before the database (a quick key press) loads now.
        self.tell_screens(DataChanged, "opened")
        if not settings.welcome_seen:
            self.push_screen(screens.welcome.WelcomeScreen(), self._welcome_done)

    def watch_theme(self, theme: str) -> None:
        """A theme chosen (ctrl+p → theme) is remembered for the next start."""
        if self.store is None:
            return
        self.run_db(lambda s: store.settings.save_setting("theme", theme, session=s), write=True)

    def _welcome_done(self, _: object = None) -> None:
        self.run_db(lambda s: store.settings.save_setting("welcome_seen", True, session=s), write=True)

    def _open_failed(self, message: str) -> None:
        self._collect_again()
        self._exit_code = 2
        self._open_error = message
        # What was typed while the file was opening can't be saved: say so beside each, now.
        waiting, self._waiting = self._waiting, []
        for _job, write, _done, failed in waiting:
            if write:
                (failed or self.notify_error)(store.errors.StoreError(f"Not saved: {message}"))
        self.push_screen(screens.store_error.StoreErrorScreen(message))

    def on_unmount(self) -> None:
        if self._open_task is not None:
            self._open_task.cancel()
        if self._watcher is not None:
            self._watcher.close()
        if self.store is not None:
            self.store.close()

    # ---------------------------------------------------------------- everywhere

    def action_command_palette(self) -> None:
        # A palette already open (ours or Textual's theme picker) is left as it is.
        if self.use_command_palette and not self.screen.has_class("--textual-command-palette"):
            self.push_screen(screens.palette.SteadyCommandPalette(id="--command-palette"))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Of Textual's own commands only those that mean something here: the theme and quit
        (its "Keys", "Maximize" and "Screenshot" would sit beside magsleep's Help and mean nothing)."""
        yield SystemCommand("Theme", "Change the colours (remembered for the next start)", self.action_change_theme)
        yield SystemCommand("Quit", "Leave magsleep; everything is already saved", self.action_quit)

    def search_themes(self) -> None:
        """Textual's theme picker, in the steady palette."""
        self.push_screen(screens.palette.SteadyCommandPalette(providers=[ThemeProvider],
                                                              placeholder="Search for themes…"))

    def action_help(self) -> None:
        if not isinstance(self.screen, screens.help.HelpScreen):
            self.push_screen(screens.help.HelpScreen())

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        """Keep one too-small notice on top while the terminal is small, and none anywhere after.

        The notice is only ever the top screen: a screen opened while it shows (the welcome, a
        confirmation from a worker) goes beneath it (`push_screen`). Before, notices were buried
        under screens opened meanwhile, and resizing across 80x24 piled them up (issue 17).
        """
        too_small = screens.too_small.TooSmallScreen
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        if small and not isinstance(self.screen, too_small):
            super().push_screen(too_small())
        elif not small:
            while isinstance(self.screen, too_small) and len(self.screen_stack) > 1:
                super().pop_screen()

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        """Textual's push, except that a screen opened under the too-small notice goes beneath it."""
        too_small = screens.too_small.TooSmallScreen
        if isinstance(self.screen, too_small) and not isinstance(screen, too_small):
            super().pop_screen()
            pushed = super().push_screen(screen, *args, **kwargs)
            super().push_screen(too_small())
            return pushed
        return super().push_screen(screen, *args, **kwargs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Behind the too-small notice only q works: a screen opened there could not be seen.
        if isinstance(self.screen, screens.too_small.TooSmallScreen) and action in ("help", "command_palette"):
            return False
        return True

    def ask(self, question: str, *, yes: str, then: Callable[[bool | None], None]) -> None:
        self.push_screen(screens.confirm.ConfirmScreen(question, yes=yes), then)

    def run_palette_command(self, action: str) -> None:
        """Carry out a command from the palette."""
        if action == "help":
            self.action_help()
            return
        if action == "export":
            self._export()
            return
        if action == "import":
            self.push_screen(screens.import_preview.ImportPreviewScreen())
            return
        # Anything else happens on the dashboard: back to it, then its own action of that name.
        dashboard_screen = screens.dashboard.DashboardScreen
        while len(self.screen_stack) > 1 and not isinstance(self.screen, dashboard_screen):
            self.pop_screen()
        action_method = getattr(self.screen, f"action_{action}", None)
        if isinstance(self.screen, dashboard_screen) and action_method is not None:
            action_method()

    def _export(self) -> None:
        target = store.files.backup_name(self.db_path, "export", self.now()).with_suffix(".json")

        def job(session: Session) -> Path:
            return store.files.write_private(target, store.transfer.export_all("json", session=session))

        def failed(err: Exception) -> None:
            self.notify(str(err), title="Export failed", severity="error")

        self.run_db(job, done=lambda path: self.notify(f"Exported to {path}", title="Export"), failed=failed)


def make_app(db_path: Path | str, *, private_dir: Path | None = None,
             clock: Callable[[], datetime] | None = None, open_when: asyncio.Event | None = None,
             clock_tick: float = 5.0) -> MagsleepApp:
    """The one factory: the `magsleep` command, the tests and the screenshot script all use it.
    Tests may hold the database closed until `open_when` is set, and make forms look at the clock
    every `clock_tick` seconds."""
    return MagsleepApp(Path(db_path), private_dir=private_dir, clock=clock, open_when=open_when,
                       clock_tick=clock_tick)


def run_dashboard(db_path: Path | None) -> int:
    """`magsleep` with no command: the app on `db_path` (None: $MAGSLEEP_DB or the default) in
    this terminal; returns the exit code."""
    # Without a terminal (cron, a pipe, `</dev/null`) Textual would draw into nothing forever.
    # It reads keys from stdin and draws on stderr: those two must be the terminal.
    # `magsleep web` runs the app with textual-serve's web driver, which talks over pipes.
    served = os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver")
    if not served and not (sys.stdin.isatty() and sys.stderr.isatty()):
        print("magsleep: the dashboard needs a terminal; run it in one, or use a command "
              "(magsleep --help lists them)", file=sys.stderr)
        return 2
    app = make_app(db_path or default_db_path(), private_dir=data_dir())
    app.run()
    return app.return_code or 0
