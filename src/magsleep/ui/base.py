"""The UI's bottom layer: what screens and widgets use, and nothing that names a screen.

`MagsleepBase` is the App without its wiring: the clock, `run_db` (database work in thread
workers, writes in the order they were asked for), the data version and the reload it triggers,
`notify_error`, the global bindings. `ui/app.py` subclasses it with what names screens (the
first screen, dialogs, the palette). Screens subclass `MagsleepScreen` (or `MagsleepModal`): a
typed `self.app`, the guarded `leave`, `leave_asking` and one `DataChanged -> load()` hook.
Nothing here imports `ui/app.py` or `ui/screens/` (tests/test_layers.py, import-linter), so a
screen or widget can import this module without a cycle.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import getters, on, work
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.message import Message
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import ModalScreen, Screen

from magsleep import local_time, store
from magsleep.domain import nights
from magsleep.domain.errors import InvalidInput
from magsleep.domain.text_safety import visible
from magsleep.ui.history_rows import HistoryRows
from magsleep.ui.key_order import KeysInOrder
from magsleep.ui.messages import DataChanged

if TYPE_CHECKING:
    from rich.console import RenderableType
    from sqlmodel import Session
    from textual.widget import AwaitMount, Widget

    from magsleep.store.engine import Store

T = TypeVar("T")
R = TypeVar("R")
Job = tuple[Callable[["Session"], Any], bool, Callable[[Any], None] | None, Callable[[Exception], None] | None]


class MagsleepBase(KeysInOrder):
    """What every screen may ask of the app; `magsleep.ui.app.MagsleepApp` adds the wiring."""

    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave magsleep; everything is already saved."),
        Binding("question_mark", "help", "Help", key_display="?", id="help", tooltip="Every key, on one page."),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="palette",
                tooltip="Command palette: screens, add dose, log sleep, theme, export"),
    ]

    store: var[Store | None] = var(None)
    """The open Store, or None until the database has been opened."""

    def __init__(self, db_path: Path, *, clock: Callable[[], datetime] | None = None,
                 clock_tick: float = 5.0) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self._clock = clock
        self.clock_tick = clock_tick
        """Seconds between an open form's looks at the clock (its time field follows it)."""
        self._exit_code = 0
        self.quitting = False
        """Set once the app is on its way out: screens mount nothing more (`MagsleepScreen.mount_late`)."""
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
        self.tell_screens(DataChanged, what)

    def tell_screens(self, kind: type[Message], *args: Any) -> None:
        """Post a `kind(*args)` message to every screen on the stack, a new one to each (a
        message stopped or handled by one screen must not be for the next)."""
        for screen in self.screen_stack:
            screen.post_message(kind(*args))

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

    # ---------------------------------------------------------------- messages to the person

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

    def ask(self, question: str, *, yes: str, then: Callable[[bool | None], None]) -> None:
        """Ask a yes/no `question` in a dialog; `then(answer)` runs once it is answered.

        The app wires the dialog (`MagsleepApp.ask`): this layer names no screen.
        """
        raise NotImplementedError

    def run_palette_command(self, action: str) -> None:
        """Carry out the palette's command `action` (wired in `MagsleepApp`: it names screens)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- the screen stack

    def pop_screen(self) -> AwaitComplete:
        """Textual's pop, except that the last screen is never popped (a key storm must not end
        the app: Textual raises ScreenStackError there)."""
        if len(self.screen_stack) <= 1:
            self.log.warning("pop_screen with one screen left: ignored")
            return AwaitComplete.nothing()
        return super().pop_screen()

    async def action_quit(self) -> None:
        self.exit(return_code=self._exit_code)

    def exit(self, result: int | None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        """Textual's exit (q, a signal, a fatal error), once what a screen is mounting is mounted:
        taken down mid-mount, a widget fails in its own mount handler (Textual's Select looks for
        its parts) and the app ended with a traceback instead of its exit code."""
        self.quitting = True
        mounting = [m for screen in self.screen_stack if isinstance(screen, MagsleepScreen) for m in screen.mounting]
        if not mounting:
            super().exit(result, return_code, message)
            return

        async def once_mounted() -> None:
            for pending in mounting:
                await pending
            super(MagsleepBase, self).exit(result, return_code, message)

        self.call_next(once_mounted)


class OnMagsleepApp(MessagePump):
    """Mixed into magsleep's screens and widgets that ask the app for something: `self.app` is
    typed as the MagsleepBase (the one place the app's type is given; Textual checks it on each
    access)."""

    app = getters.app(MagsleepBase)


class MagsleepScreen(OnMagsleepApp, Screen[R]):
    """A magsleep screen: `load()` runs whenever the data changes, `leave()` closes it once."""

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        self.mounting: list[AwaitMount] = []
        """Mounts started after the first frame (`mount_late`): the app's exit waits for them."""

    def mount_late(self, widget: Widget, *, into: Widget, before: str | None = None) -> bool:
        """Mount `widget` into `into` after the screen's first frame, unless the app is quitting
        or `into` is already gone; False when it was not mounted."""
        if self.app.quitting or not into.is_attached:
            return False
        self.mounting.append(into.mount(widget, before=before))
        return True

    def load(self) -> None:
        """Read what this screen shows; runs again on every `DataChanged` (the store opened, a
        new night, another process wrote). Screens that show stored data override it."""

    @on(DataChanged)
    def _data_changed(self, _: DataChanged) -> None:
        self.load()

    def leave(self, result: R | None = None) -> None:
        """Close this screen (with `result` for its callback) if it is still the one on top.

        A key pressed twice quickly (escape, escape) reaches a screen that is already leaving:
        dismissing it again would pop the screen beneath, and popping the last one crashes.
        """
        if self.is_active and len(self.app.screen_stack) > 1:
            self.dismiss(result)

    def leave_asking(self, unsaved: bool, question: str) -> None:
        """Close this screen; when it holds unsaved edits, only after the person confirms `question`."""
        if not unsaved:
            self.leave()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.leave()

        self.app.ask(question, yes="Leave", then=answered)


class MagsleepModal(ModalScreen[R], MagsleepScreen[R]):
    """A magsleep dialog: a `MagsleepScreen` over the one beneath.

    ModalScreen comes first: Textual takes a class's CSS from its first base only, and the
    dialog's look (the screen beneath showing through) is ModalScreen's.
    """
