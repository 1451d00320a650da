"""Import nights from a sleep tracker's export, preview first (reached from the command palette).

Type the path of the file, zip or folder and press enter: the file is read and checked in a
worker and the preview shows the nights found per format and source, the first and last night,
how many are new, already there and skipped, and the first nights as they would be stored.
ctrl+s then imports them, all or nothing; nights already in magsleep are left as they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Input, Label, Static

from magsleep import store
from magsleep.domain.errors import InvalidInput
from magsleep.domain.import_file import ImportFailed
from magsleep.domain.trackers.night import TrackerFile
from magsleep.domain.trackers.preview import TABLE_COLUMNS, Counts, summary_lines, table_rows
from magsleep.ui.base import MagsleepScreen
from magsleep.ui.safe_text import FieldError, TextField, plain
from magsleep.ui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from sqlmodel import Session

COLUMN_WIDTHS = (10, 12, 6, 6, 5, 5, 11, 5, 6, 22)


class ImportPreviewScreen(MagsleepScreen[None]):
    """Preview a tracker's export, then import it."""

    BINDINGS = [
        Binding("ctrl+s", "import_nights", "Import", id="import_nights", priority=True,
                tooltip="Import the previewed nights (all or nothing)"),
        Binding("escape", "back", "Back", id="import_back", tooltip="Leave without importing"),
    ]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.start_path = path
        self.found: TrackerFile | None = None
        """The checked file shown in the preview (None until one is)."""
        self.path: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="import"):
            yield Static("[b]Import nights[/b] · Sleepmeter, Plees Tracker, Sleep as Android, Fitbit, Apple Health",
                         id="import-title")
            with Horizontal(classes="row"):
                yield Label("File, zip or folder", classes="log-label")
                yield TextField(max_length=4096, value=self.start_path, placeholder="path, then enter",
                                id="import-path", compact=True)
            yield FieldError(id="import-path-error")
            yield Static("", id="import-summary")
            yield DataTable(id="import-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "import"
        table = self.query_one("#import-table", DataTable)
        for title, width in zip(TABLE_COLUMNS, COLUMN_WIDTHS):
            table.add_column(title, width=width)
        self.query_one("#import-path", Input).focus()
        if self.start_path:
            self._preview(self.start_path)

    @on(Input.Submitted, "#import-path")
    def _submitted(self, event: Input.Submitted) -> None:
        self._preview(event.value)

    def _preview(self, text: str) -> None:
        error = self.query_one("#import-path-error", FieldError)
        error.say("")
        path = Path(text.strip()).expanduser()
        if not text.strip():
            error.say("Type the path of a tracker's export.")
            return
        if not path.exists():
            error.say(f"{text.strip()}: no such file or folder")
            return
        app = self.app
        zone, rollover, latest = app.zone(), app.settings_rollover, app.now().date()

        def job(session: Session) -> tuple[TrackerFile, Counts] | str:
            try:
                loaded = store.tracker_files.read_import(path, tz=zone, latest=latest, rollover_hour=rollover)
            except ImportFailed as err:
                return "Nothing can be imported: " + "; ".join(err.problems[:3])
            if loaded.tracked is None:
                return "This is a magsleep export: import it with `magsleep import FILE`."
            plan = store.transfer.plan_tracked(loaded.tracked, session=session)
            return loaded.tracked, Counts(len(plan.new), len(plan.already_there))

        self.query_one("#import-summary", Static).update("Reading…")
        self.app.run_db(job, done=lambda result: self._show(path, result))

    def _show(self, path: Path, result: tuple[TrackerFile, Counts] | str) -> None:
        table = self.query_one("#import-table", DataTable)
        table.clear()
        summary = self.query_one("#import-summary", Static)
        if isinstance(result, str):
            self.found = None
            summary.update("")
            self.query_one("#import-path-error", FieldError).say(result)
            return
        found, counts = result
        self.found, self.path = found, path
        lines = summary_lines(found, counts, dry_run=True)
        lines.append("ctrl+s imports the new nights; escape leaves." if counts.new else "Nothing new to import.")
        summary.update(plain("\n".join(lines)))
        table.add_rows([tuple(plain(cell) for cell in row) for row in table_rows(found.nights)])

    def action_import_nights(self) -> None:
        found, path = self.found, self.path
        if found is None or path is None:
            self.query_one("#import-path-error", FieldError).say("Preview a file first (type its path, then enter).")
            return

        def job(session: Session) -> Counts:
            plan = store.transfer.plan_tracked(found, session=session)
            store.transfer.write_tracked(plan, session=session)
            return Counts(len(plan.new), len(plan.already_there))

        def done(counts: Counts) -> None:
            self.found = None
            self.app.notify(f"{counts.new} nights imported, {counts.already_there} already there.",
                            title=f"Imported {path.name}")
            self.query_one("#import-summary", Static).update(plain(
                f"Imported {counts.new} nights from {path.name}; {counts.already_there} were already there."))

        def failed(err: Exception) -> None:
            message = err.message if isinstance(err, InvalidInput) else str(err)
            self.query_one("#import-path-error", FieldError).say(f"Nothing was imported: {message}")

        self.app.run_db(job, write=True, done=done, failed=failed)

    def action_back(self) -> None:
        self.leave()
