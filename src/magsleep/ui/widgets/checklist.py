"""Tonight's routine checklist: a SelectionList toggled with space or enter, ✓ when ticked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from magsleep.ui.safe_text import plain

if TYPE_CHECKING:  # the first frame draws an empty list: the records come with the data
    from typing import Self

    from magsleep.store.records import CheckRecord


class Checklist(SelectionList[int]):
    """The active checklist items for one night; each value is the item's id."""

    class Ticked(Message):
        """An item ticked or unticked by the person, with its new state as it was at that moment.

        Textual's SelectionToggled carries only a row index: a handler had to read the state (and
        the item) from the list when it ran, and a reload that replaced the list in between (a
        dose's save, moments before a space typed behind it) made it store the opposite."""

        def __init__(self, checklist: Checklist, item_id: int, done: bool) -> None:
            super().__init__()
            self.checklist = checklist
            self.item_id = item_id
            self.done = done

        @property
        def control(self) -> Checklist:
            return self.checklist

    def toggle(self, selection: Selection[int] | int) -> Self:
        super().toggle(selection)
        item_id = selection.value if isinstance(selection, Selection) else selection
        self.post_message(self.Ticked(self, item_id, item_id in self.selected))
        return self

    def show(self, checks: tuple[CheckRecord, ...] | list[CheckRecord]) -> None:
        """Replace the items, keeping the highlight where it was."""
        keep = self.highlighted
        with self.prevent(SelectionList.SelectedChanged):
            self.clear_options()
            self.add_options([Selection(plain(c.label), c.item_id, c.done) for c in checks])
        if checks:
            self.highlighted = min(keep or 0, len(checks) - 1)
        self.call_after_refresh(self.fit)  # once the lines above it (a trial line) have their height

    def fit(self) -> None:
        """Take only the rows the pane leaves below the lines above it, and scroll in them.

        The pane has a max-height and grows with its content: with a trial line and a deviation
        warning above, the list was taller than what was left and its last items were drawn
        under the pane's border, out of reach (issue 17).
        """
        pane = self.parent
        if not isinstance(pane, Widget) or pane.styles.max_height is None or not pane.styles.max_height.is_cells:
            return
        room = int(pane.styles.max_height.value) - pane.styles.gutter.height
        width = pane.content_region.width
        for line in pane.children:
            if line is not self and line.display and isinstance(line, Widget):
                # Measured from its content now: its laid-out size may be a frame behind.
                room -= line.get_content_height(pane.size, self.app.size, width) + line.styles.gutter.height \
                    + line.styles.margin.height
        room -= self.styles.gutter.height + self.styles.margin.height
        # Below its CSS max-height (None: the stylesheet's again) when there is not room for every item.
        self.styles.max_height = max(1, room) if room < self.option_count else None

    def render_line(self, y: int) -> Strip:
        # Textual draws the same X in the box for ticked and unticked items and tells them apart
        # by colour alone (in textual-light an unticked item looks ticked): draw ✓ or nothing.
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        glyph = "✓" if option.value in self._selected else " "
        segments[1] = Segment(glyph, segments[1].style)
        return Strip(segments, strip.cell_length)

    @property
    def done_count(self) -> int:
        return len(self.selected)
