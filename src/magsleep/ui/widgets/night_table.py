"""A virtual table for years of nights: it draws only the rows on screen.

Textual's DataTable builds per-row state for every row it is given (about 100 µs a row, a second
for ten years of nights). History needs none of that: its rows are plain text in fixed-width
columns. This ScrollView keeps the rows as a list and renders the visible lines, so opening it
and moving the cursor cost the same for a week or a century.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from magsleep.domain.text_safety import visible


class NightTable(ScrollView, can_focus=True):
    """Rows of text in fixed-width columns, with a row cursor; header drawn on the first line."""

    DEFAULT_CSS = """
    NightTable { background: $surface; }
    NightTable > .night-table--header { text-style: bold; background: $panel; }
    NightTable > .night-table--cursor { background: $primary; color: $text; text-style: bold; }
    NightTable > .night-table--even { background: $surface-lighten-1; }
    """
    COMPONENT_CLASSES = {"night-table--header", "night-table--cursor", "night-table--even"}
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    @dataclass
    class Selected(Message):
        """Enter on a row."""

        table: NightTable
        row: int

    cursor_row: reactive[int] = reactive(0)
    """The highlighted row (0 is the first data row)."""

    def __init__(self, columns: Sequence[tuple[str, int]],
                 formatter: Callable[[Any], tuple[str, ...]] = tuple, *,
                 optional: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.all_columns = list(columns)
        self.optional = frozenset(optional)
        """Indexes of columns shown only when the table is wide enough for every column."""
        self.shown = list(range(len(self.all_columns)))
        self.formatter = formatter
        """Turns an item into its cells (one per column, shown or not); called only for rows that
        are drawn or asked for."""
        self.rows: list[Any] = []
        self._cells: dict[int, tuple[str, ...]] = {}

    # ---------------------------------------------------------------- data

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def columns(self) -> list[tuple[str, int]]:
        """The columns on screen now."""
        return [self.all_columns[i] for i in self.shown]

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.rows = list(rows)
        self._cells = {}
        self._fit()
        self.cursor_row = min(self.cursor_row, max(0, len(self.rows) - 1))
        self.refresh()

    def get_row_at(self, index: int) -> tuple[str, ...]:
        cells = self._cells.get(index)
        if cells is None:
            cells = self._cells[index] = self.formatter(self.rows[index])
        return cells

    def _fit(self) -> None:
        """Show the optional columns only when every column fits in the table's width."""
        full = sum(w + 2 for _, w in self.all_columns)
        every = range(len(self.all_columns))
        self.shown = list(every) if full <= self.size.width else [i for i in every if i not in self.optional]
        self.virtual_size = Size(sum(w + 2 for _, w in self.columns), len(self.rows) + 1)

    def on_resize(self) -> None:
        self._fit()
        self.refresh()

    def move_cursor(self, *, row: int) -> None:
        self.cursor_row = max(0, min(row, len(self.rows) - 1))

    # ---------------------------------------------------------------- drawing

    def _line(self, cells: Sequence[str], style: Style) -> list[Segment]:
        # Cells are data: control characters made visible, cut and padded by terminal cells.
        text = "".join(f" {set_cell_size(visible(cells[i]), self.all_columns[i][1])} " for i in self.shown)
        return [Segment(text, style)]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self.rich_style
        if y == 0:
            segments = self._line([label for label, _ in self.all_columns],
                                  base + self.get_component_rich_style("night-table--header"))
        else:
            index = scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, base)
            if index == self.cursor_row:
                style = base + self.get_component_rich_style("night-table--cursor")
            elif index % 2:
                style = base + self.get_component_rich_style("night-table--even")
            else:
                style = base
            segments = self._line(self.get_row_at(index), style)
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, segments[0].style if segments else base)

    def watch_cursor_row(self, old: int, new: int) -> None:
        # Keep the cursor on screen; line 0 is the header, so data row i is virtual line i + 1.
        top = self.scroll_offset.y
        self.scroll_to_region(Region(0, new, 1, 2), animate=False, immediate=True)
        if self.scroll_offset.y == top:
            # Nothing scrolled: only the two rows whose colour changes are drawn again.
            self.refresh_line(old + 1)
            self.refresh_line(new + 1)
        else:
            self.refresh()

    def on_click(self, event: Click) -> None:
        row = self.scroll_offset.y + event.y - 1
        if event.y >= 1 and 0 <= row < len(self.rows):
            self.move_cursor(row=row)

    # ---------------------------------------------------------------- keys

    def action_move(self, step: int) -> None:
        self.move_cursor(row=self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor_row + direction * max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self.rows) - 1)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self, self.cursor_row))
