"""The magsleep App and the `make_app` factory used by the command, the tests and the screenshots.

The database is opened in a thread worker after the first frame; before the store (and
SQLAlchemy) is ready, that worker reads tonight straight from the file so the checklist shows
at once. All database work goes through `run_db`: a thread worker runs the job in a session and
hands the result back on the UI thread; jobs asked for before the store is open wait for it.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import getters, work
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.events import Resize
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.theme import ThemeProvider

from magsleep import local_time, store
from magsleep.domain import nights
from magsleep.domain.errors import InvalidInput
from magsleep.domain.settings import Settings
from magsleep.domain.text_safety import visible
from magsleep.ui import screens
from magsleep.ui.history_rows import HistoryRows
from magsleep.ui.key_order import KeysInOrder
from magsleep.ui.messages import DataChanged, TonightPeeked

if TYPE_CHECKING:
    from sqlmodel import Session
    from textual.command import Provider

    from magsleep.store.engine import Store
    from magsleep.store.tonight import TonightView


def _commands() -> type[Provider]:
    """The palette's provider, loaded when the palette first opens (textual.command is slow to import)."""
    return screens.palette.MagsleepCommands


T = TypeVar("T")
Job = tuple[Callable[["Session"], Any], bool, Callable[[Any], None] | None, Callable[[Exception], None] | None]
MIN_WIDTH, MIN_HEIGHT = 80, 24


class MagsleepApp(KeysInOrder):
    """A nightly magnesium-and-sleep check-in."""

    CSS_PATH = "app.tcss"
    TITLE = "magsleep"
    SUB_TITLE = "magnesium & sleep"
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave magsleep; everything is already saved."),
        Binding("question_mark", "help", "Help", key_display="?", id="help", tooltip="Every key, on one page."),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="palette",
                tooltip="Command palette: screens, add dose, log sleep, theme, export"),
    ]

    store: var[Store | None] = var(None)
    """The open Store, or None until the database has been opened."""

    def __init__(self, db_path: Path, *, private_dir: Path | None = None,
                 clock: Callable[[], datetime] | None = None, open_store: bool = True,
                 open_when: asyncio.Event | None = None, clock_tick: float = 5.0) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.private_dir = private_dir
        self._clock = clock
        self._open_store = open_store
        self._open_when = open_when  # the store opens once this is set (tests: a slow disk)
        self._open_task: asyncio.Task[None] | None = None
        self.clock_tick = clock_tick
        """Seconds between an open form's looks at the clock (its time field follows it)."""
        self._exit_code = 0
        self._write_tickets = 0  # handed out in the order writes are asked for
        self._write_next = 0  # the ticket whose write runs next
        self._write_turn = threading.Condition()
        self._rollover = 12
        self.data_version = 0
        """Counts saved writes: a screen coming back to the front reloads only if it moved."""
        self._waiting: list[Job] = []  # run_db jobs asked for before the store was open
        self._open_error: str | None = None  # why the store could not be opened
        self._watcher: sqlite3.Connection | None = None  # notices other processes' writes
        self._outside_version = 0
        self._night: date | None = None  # the night on screen: it moves at the rollover hour
        self.history = HistoryRows(self)
        """History's rows, read ahead while the dashboard is idle."""

    # ---------------------------------------------------------------- time

    def now(self) -> datetime:
        """The current moment, aware (fixed in tests and screenshots)."""
        return self._clock() if self._clock is not None else local_time.now()

    def zone(self) -> tzinfo:
        zone = self.now().tzinfo
        return zone if zone is not None else local_time.local_zone()

    def tonight(self) -> date:
        return nights.night_of(self.now(), self.settings_rollover)

    def last_night(self) -> date:
        return nights.last_night(self.now(), self.settings_rollover)

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
            self.call_from_thread(self._peeked, early)
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

    def _peeked(self, view: TonightView) -> None:
        if self.store is None:
            self.settings_rollover = view.settings.rollover_hour
            for screen in self.screen_stack:
                screen.post_message(TonightPeeked(view))

    def _opened(self, opened: Store, settings: Settings) -> None:
        self.settings_rollover = settings.rollover_hour
        if settings.theme and settings.theme in self.available_themes:
            self.theme = settings.theme  # before the store is set: not saved back
        self.store = opened
        self._watch_outside_changes()
        waiting, self._waiting = self._waiting, []
        for job in waiting:
            self._db_worker(*job)
        # A screen opened before the database (a quick key press) loads now.
        for screen in self.screen_stack:
            screen.post_message(DataChanged("opened"))
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

    # ---------------------------------------------------------------- the rollover

    @property
    def settings_rollover(self) -> int:
        """The rollover hour from settings (which night a moment belongs to)."""
        return self._rollover

    @settings_rollover.setter
    def settings_rollover(self, hour: int) -> None:
        # A new setting is not a new night: the screens showing the old one reload as they come back.
        self._rollover = hour
        self._night = self.tonight()

    NIGHT_SECONDS = 1.0

    def check_new_night(self) -> bool:
        """Move every screen to the new night once the rollover hour passes (an app left open all
        day must not go on saving to yesterday); True if the night changed."""
        night = self.tonight()
        if night == self._night:
            return False
        self._night = night
        self.announce("night")
        self.notify(f"It is now the night of {night:%A %d %B}: tonight's checklist and doses start afresh.",
                    title="A new night")
        return True

    # ---------------------------------------------------------------- changes from outside

    WATCH_SECONDS = 2.0

    def _watch_outside_changes(self) -> None:
        """Notice writes by another process (`magsleep dose` in another shell) and show them.

        SQLite's `PRAGMA data_version` changes on this connection whenever another connection
        commits: reading it every two seconds costs microseconds, and reads no data.
        """
        try:
            self._watcher = sqlite3.connect(store.files.read_only_uri(self.db_path.expanduser()), uri=True,
                                            check_same_thread=False)
            self._outside_version = self._watcher.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            self._watcher = None
            return
        self.set_interval(self.WATCH_SECONDS, self.check_outside_changes)

    def check_outside_changes(self) -> bool:
        """Reload what is shown if the database changed since the last look; True if it did.

        The watcher cannot tell this app's own commits from another process's (both move
        `data_version`), so every change is reloaded: a reload that repeats one the app already
        made costs one read, while a skipped one could leave a safety number (tonight's total)
        wrong for good.
        """
        if self._watcher is None:
            return False
        try:
            version = self._watcher.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return False
        if version == self._outside_version:
            return False
        self._outside_version = version
        self.announce("outside")
        return True

    def announce(self, what: str) -> None:
        """The data changed (`what`: "night", "outside"): every screen reloads what it shows, the
        one on top now, the others as they come back."""
        self.data_version += 1
        for screen in self.screen_stack:
            screen.post_message(DataChanged(what))

    # ---------------------------------------------------------------- database work

    def run_db(self, job: Callable[[Session], T], *, write: bool = False,
               done: Callable[[T], None] | None = None,
               failed: Callable[[Exception], None] | None = None) -> None:
        """Run `job(session)` in a thread worker; `done(result)` or `failed(error)` run on the UI thread.

        A StoreError or InvalidInput goes to `failed`, or is shown as a notification. Until the
        store is open the job waits (a tick made while it opens is saved once it is).
        """
        if self.store is None:
            if self._open_error is not None:
                if write:  # _open_failed set the exit code 2 already
                    (failed or self.notify_error)(store.errors.StoreError(f"Not saved: {self._open_error}"))
                return
            self._waiting.append((job, write, done, failed))
            return
        self._db_worker(job, write, done, failed)

    def _db_worker(self, job: Callable[[Session], T], write: bool, done: Callable[[T], None] | None,
                   failed: Callable[[Exception], None] | None) -> None:
        # Writes commit in the order they were asked for (tick, untick typed fast must end
        # unticked): each takes a ticket here, on the UI thread, and waits for its turn.
        ticket = None
        if write:
            ticket, self._write_tickets = self._write_tickets, self._write_tickets + 1
        self._db_thread(job, write, done, failed, ticket)

    @work(thread=True, exit_on_error=False, group="db")
    def _db_thread(self, job: Callable[[Session], T], write: bool, done: Callable[[T], None] | None,
                   failed: Callable[[Exception], None] | None, ticket: int | None) -> None:
        if ticket is not None:
            with self._write_turn:
                self._write_turn.wait_for(lambda: self._write_next == ticket)
        try:
            self._db_job(job, write, done, failed)
        finally:
            if ticket is not None:
                with self._write_turn:
                    self._write_next += 1
                    self._write_turn.notify_all()

    def _db_job(self, job: Callable[[Session], T], write: bool, done: Callable[[T], None] | None,
                failed: Callable[[Exception], None] | None) -> None:
        if self.store is None:
            return
        try:
            context = self.store.writing() if write else self.store.reading()
            with context as session:
                result = job(session)
        except (store.errors.StoreError, InvalidInput, OSError) as err:
            if write and not isinstance(err, InvalidInput):
                self._exit_code = 2  # something was not saved, whoever says so on screen (README)
            self.call_from_thread(failed or partial(self.notify_error, write=write), err)
            return
        if write:
            self.call_from_thread(self._written)
        if done is not None:
            try:
                self.call_from_thread(done, result)
            except Exception as err:  # a bug: say so on screen, never lose it silently
                self.log.error(f"error showing a result: {err!r}")
                self.call_from_thread(self.notify, f"Something went wrong: {err!r}", title="magsleep",
                                      severity="error", timeout=10)

    def _written(self) -> None:
        self.data_version += 1

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification is plain text: messages echo what people typed and files held.

        `markup` is accepted for Textual's callers and ignored.
        """
        super().notify(visible(message, keep_newlines=True), title=visible(title), severity=severity,
                       timeout=timeout, markup=False)

    def notify_error(self, err: Exception, *, write: bool = True) -> None:
        """A failed save (or, with `write=False`, a failed read), said as an error notification."""
        self.notify(str(err), title="Not saved" if write else "Could not read", severity="error", timeout=8)

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

    def pop_screen(self) -> AwaitComplete:
        """Textual's pop, except that the last screen is never popped (a key storm must not end
        the app: Textual raises ScreenStackError there)."""
        if len(self.screen_stack) <= 1:
            self.log.warning("pop_screen with one screen left: ignored")
            return AwaitComplete.nothing()
        return super().pop_screen()

    def leave(self, screen: Screen[Any], result: object = None) -> None:
        """Close `screen` (with `result` for its callback) if it is still the one on top.

        A key pressed twice quickly (escape, escape) reaches a screen that is already leaving:
        dismissing it again would pop the screen beneath, and popping the last one crashes.
        """
        if screen.is_active and len(self.screen_stack) > 1:
            screen.dismiss(result)

    def leave_asking(self, screen: Screen[Any], unsaved: bool, question: str) -> None:
        """Close `screen`; when it holds unsaved edits, only after the person confirms `question`."""
        if not unsaved:
            self.leave(screen)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.leave(screen)

        self.push_screen(screens.confirm.ConfirmScreen(question, yes="Leave"), answered)

    async def action_quit(self) -> None:
        self.exit(return_code=self._exit_code)

    def run_palette_command(self, action: str) -> None:
        """Carry out a command from the palette."""
        if action == "help":
            self.action_help()
            return
        if action == "export":
            self._export()
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


class OnMagsleepApp(MessagePump):
    """Mixed into magsleep's screens and widgets: `self.app` is typed as the MagsleepApp (the one
    place the app's type is given; Textual checks it on each access)."""

    app = getters.app(MagsleepApp)


def make_app(db_path: Path | str, *, private_dir: Path | None = None,
             clock: Callable[[], datetime] | None = None, open_when: asyncio.Event | None = None,
             clock_tick: float = 5.0) -> MagsleepApp:
    """The one factory: the `magsleep` command, the tests and the screenshot script all use it.
    Tests may hold the database closed until `open_when` is set, and make forms look at the clock
    every `clock_tick` seconds."""
    return MagsleepApp(Path(db_path), private_dir=private_dir, clock=clock, open_when=open_when,
                       clock_tick=clock_tick)
