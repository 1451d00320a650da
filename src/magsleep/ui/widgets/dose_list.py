"""Tonight's doses as a list to move through: newest first, and x asks before removing one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from magsleep.ui.safe_text import plain

if TYPE_CHECKING:
    from magsleep.store.records import DoseRecord

NO_DOSE = "No dose logged tonight."


def dose_line(dose: DoseRecord) -> str:
    return f"{dose.taken_at:%H:%M} {dose.form} {dose.elemental_mg:g} mg"


class DoseList(OptionList):
    """The night's doses; posts `DoseList.RemoveAsked` for the highlighted one on x (or delete)."""

    BINDINGS = [
        Binding("x,delete", "remove", "Remove dose", id="remove_dose",
                tooltip="Remove the highlighted dose (asks first; u brings it back)"),
    ]

    @dataclass
    class RemoveAsked(Message):
        """The person asked to remove `dose`."""

        dose: DoseRecord

    doses: tuple[DoseRecord, ...] = ()
    """The doses shown, in the order shown (newest first)."""

    def show(self, doses: tuple[DoseRecord, ...] | list[DoseRecord]) -> None:
        """Newest first, so the dose just added is in view; the highlight stays on the same dose."""
        kept = self.doses[self.highlighted].id if self.doses and self.highlighted is not None else None
        self.doses = tuple(reversed(doses))
        self.clear_options()
        if not self.doses:
            self.add_option(Option(NO_DOSE, disabled=True))
            return
        self.add_options([Option(plain(dose_line(d)), id=str(d.id)) for d in self.doses])
        ids = [d.id for d in self.doses]
        self.highlighted = ids.index(kept) if kept in ids else 0

    def action_remove(self) -> None:
        if self.doses and self.highlighted is not None:
            self.post_message(self.RemoveAsked(self.doses[self.highlighted]))
