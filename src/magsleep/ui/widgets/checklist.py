"""Tonight's routine checklist: a SelectionList toggled with space or enter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from magsleep.ui.safe_text import plain

if TYPE_CHECKING:  # the first frame draws an empty list: the records come with the data
    from magsleep.store.records import CheckRecord


class Checklist(SelectionList[int]):
    """The active checklist items for one night; each value is the item's id."""

    labels: dict[int, str] = {}
    """Each item's label as stored (the prompts are Content, never markup)."""

    def show(self, checks: tuple[CheckRecord, ...] | list[CheckRecord]) -> None:
        """Replace the items, keeping the highlight where it was."""
        keep = self.highlighted
        with self.prevent(SelectionList.SelectedChanged):
            self.clear_options()
            self.add_options([Selection(plain(c.label), c.item_id, c.done) for c in checks])
        self.labels = {c.item_id: c.label for c in checks}
        if checks:
            self.highlighted = min(keep or 0, len(checks) - 1)

    @property
    def done_count(self) -> int:
        return len(self.selected)
