"""History: every night in a table, newest first; filter, jump, edit, delete with undo.

Rows are read in a thread worker after the screen is first shown, and the table is virtual:
it formats and draws only the rows on screen, so years of nights open at once.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, Static

from magsleep import store
from magsleep.domain.errors import InvalidInput
from magsleep.domain.history_filter import parse_filter
from magsleep.domain.parsing import parse_date
from magsleep.domain.sleep_diary import format_minutes
from magsleep.ui import screens
from magsleep.ui.base import MagsleepScreen
from magsleep.ui.safe_text import FieldError, TextField, plain
from magsleep.ui.widgets.keys_footer import KeysFooter
from magsleep.ui.widgets.night_table import NightTable

if TYPE_CHECKING:
    from magsleep.store.records import NightRecord
    from magsleep.store.views import HistoryNight

# Fixed widths: the table never measures its cells. Without the optional "Dose→bed" column the
# row fits in 80 columns; the column joins from 88 (it is in the night editor at any width).
COLUMNS = (("Night", 10), ("Mg, form", 14), ("Dose→bed", 8), ("Bed", 5), ("Woke", 5), ("Sleep", 5),
           ("Eff.", 4), ("Q", 1), ("List", 4), ("Side effects", 12))
OPTIONAL = (2,)


def before_bed_cell(minutes: int | None) -> str:
    """Minutes from the last dose to trying to sleep; negative when the dose came after."""
    if minutes is None:
        return "—"
    sign, m = ("-" if minutes < 0 else ""), abs(minutes)
    return f"{sign}{m} min" if m < 100 else f"{sign}{m // 60}h{m % 60:02d}"


def magnesium_cell(mg: float, forms: tuple[str, ...], width: int = 14) -> str:
    """The night's elemental mg and its forms, every form visible within the column."""
    if not forms:
        return "—"
    names, short = "/".join(forms), "+".join(f[:4] for f in forms)
    for text in (f"{mg:g} {names}", f"{mg:.0f} {names}", f"{mg:.0f} {short}"):
        if len(text) <= width:
            return text
    return f"{mg:.0f} {len(forms)} forms"


def history_cells(n: HistoryNight) -> tuple[str, ...]:
    """One night as History shows it (called only for rows on screen, or when filtering)."""
    d, m = store.views.diary_metrics(n.metrics_source)
    magnesium = magnesium_cell(n.elemental_mg, n.forms)
    side = ", ".join(kind + ("" if severity == 1 else f" ({severity})") for kind, severity in n.symptoms)
    return (
        n.night.isoformat(), magnesium, before_bed_cell(n.dose_to_bed_min(d.tried) if d else None),
        f"{d.bed:%H:%M}" if d else "—", f"{d.final:%H:%M}" if d else "—",
        format_minutes(m.tst_min) if m else "—", f"{m.se_pct:.0f}%" if m else "—",
        str(d.quality) if d else "—",
        f"{n.checks_done}/{n.checks_total}" if n.checks_total else "—",
        side,
    )


def search_text(n: HistoryNight) -> str:
    return " ".join([*history_cells(n), n.note or "", n.night.strftime("%A %B")]).lower()


class HistoryScreen(MagsleepScreen[None]):
    """Browse, search, edit and delete past nights."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/", id="filter",
                tooltip="Filter: text, on / off (magnesium), a month like nov or 2026-11"),
        Binding("e", "edit", "Edit", id="edit", tooltip="Open the night (or enter): diary, doses, checklist"),
        Binding("d", "delete", "Delete", id="delete", tooltip="Delete the night (asks first; u undoes)"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Bring back the night just deleted"),
        Binding("g", "jump", "Go to date", id="jump", tooltip="Jump to a date (YYYY-MM-DD)"),
        Binding("escape", "back", "Back", id="back", tooltip="Clear the filter, or back to the dashboard"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[HistoryNight] = []
        self._search: dict[date, str] = {}  # filter text per night, made on the first filter
        self.deleted: NightRecord | None = None
        self.mode: str | None = None  # "filter" or "jump" while the input is open
        self.filter_text = ""
        self.loaded_version = -1  # the app's data_version when the rows were read
        self.shown: list[date] = []  # the night on each table row, in order

    def compose(self) -> ComposeResult:
        yield Header()
        yield TextField(max_length=80, placeholder="filter…", id="history-input", compact=True)
        yield FieldError(id="history-input-error", subject="The date")
        yield NightTable(COLUMNS, history_cells, optional=OPTIONAL, id="history-table")
        yield Static("Loading nights…", id="history-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(NightTable)
        self.query_one("#history-input").display = False
        self.sub_title = "history"
        table.focus()
        if self.app.history.current() is not None:
            self.load()  # read ahead on the dashboard: the rows are in the first frame
        else:
            # After the first frame: a query started during compose slowed both (measured 330-630 ms
            # against a steady 390 ms).
            self.call_after_refresh(self.load)

    def load(self) -> None:
        self.loaded_version = self.app.data_version
        self.app.history.then(self._loaded)

    def on_screen_resume(self) -> None:
        if self.rows and self.app.data_version != self.loaded_version:
            self.load()

    def _loaded(self, rows: list[HistoryNight]) -> None:
        self.rows = rows
        self._search = {}
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(NightTable)
        keep = self._current_night()
        query = self.filter_text
        wanted = parse_filter(query)
        if query:
            for r in self.rows:
                if r.night not in self._search:
                    self._search[r.night] = search_text(r)
            shown = [r for r in self.rows if wanted.matches(r.night.isoformat(), bool(r.forms), self._search[r.night])]
        else:
            shown = self.rows
        # The row index maps to self.shown.
        self.shown = [r.night for r in shown]
        table.set_rows(shown)
        status = f"{len(shown)} of {len(self.rows)} nights"
        if query:
            status += f" · filter: {query}"
        self.query_one("#history-status", Static).update(plain(status))
        if keep is not None:
            self._move_to(keep)

    def _current_night(self) -> date | None:
        table = self.query_one(NightTable)
        if not table.row_count or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def _move_to(self, night: date) -> None:
        """Put the cursor on `night`, or the nearest night before it."""
        table = self.query_one(NightTable)
        for index, shown in enumerate(self.shown):
            if shown <= night:  # rows are newest first
                table.move_cursor(row=index)
                return
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)

    # ---------------------------------------------------------------- filter and jump

    def action_filter(self) -> None:
        self._open_input("filter", "filter: text, on / off, nov, 2026-11 … (enter keeps it, escape clears)")

    def action_jump(self) -> None:
        self._open_input("jump", "go to date: YYYY-MM-DD")

    def _open_input(self, mode: str, placeholder: str) -> None:
        box = self.query_one("#history-input", Input)
        self.mode = mode
        box.placeholder = placeholder
        if mode == "jump":
            box.value = ""
        box.display = True
        box.focus()

    @on(Input.Changed, "#history-input")
    def _typed(self, event: Input.Changed) -> None:
        if self.mode == "filter":
            self.filter_text = event.value.strip()
            self._fill()

    @on(Input.Submitted, "#history-input")
    def _submitted(self, event: Input.Submitted) -> None:
        error = self.query_one("#history-input-error", FieldError)
        if self.mode == "jump":
            try:
                night = parse_date(event.value, "date", latest=self.app.now().date())
            except InvalidInput as err:
                error.say(err.message)
                return
            self._move_to(night)
        error.clear()
        if self.mode == "jump" or not event.value.strip():
            event.input.display = False
        self.mode = None
        self.query_one(NightTable).focus()

    def action_back(self) -> None:
        box = self.query_one("#history-input", Input)
        if box.display or self.filter_text:
            box.display = False
            self.query_one("#history-input-error", FieldError).clear()
            self.mode = None
            box.value = ""
            if self.filter_text:
                self.filter_text = ""
                self._fill()
            self.query_one(NightTable).focus()
            return
        self.leave()

    # ---------------------------------------------------------------- edit, delete, undo

    @on(NightTable.Selected)
    def _row_selected(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        night = self._current_night()
        if night is None:
            return

        self.app.push_screen(screens.morning_log.MorningLogScreen(night, edit=True))

    def action_delete(self) -> None:
        night = self._current_night()
        if night is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(night)

        self.app.push_screen(screens.confirm.ConfirmScreen(f"Delete the night of {night:%A %d %B %Y} with its diary, "
                                           "doses, checklist and side effects?"), answered)

    def _delete(self, night: date) -> None:
        def done(record: NightRecord | None) -> None:
            self.deleted = record
            self.app.notify(f"Deleted the night of {night}. Press u to undo.", title="History")
            self.load()

        self.app.run_db(lambda s: store.nights.delete_night(night, session=s), write=True, done=done)

    def action_undo(self) -> None:
        record = self.deleted
        if record is None:
            self.app.notify("Nothing to undo.", title="History")
            return

        def done(_: object) -> None:
            self.deleted = None
            self.app.notify(f"The night of {record.night} is back.", title="History")
            self.load()
            self.call_after_refresh(lambda: self._move_to(record.night))

        def failed(err: Exception) -> None:
            self.deleted = None  # what is there now is newer than the undo: it can never apply
            self.app.notify(f"Not undone: {err}.", title="History", severity="error", timeout=10)
            self.load()

        self.app.run_db(lambda s: store.nights.restore_night(record, session=s), write=True, done=done,
                        failed=failed)
