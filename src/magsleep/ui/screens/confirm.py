"""A yes/no question, answered with y/n or the buttons."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from magsleep.ui.base import MagsleepModal
from magsleep.ui.safe_text import plain
from magsleep.ui.widgets.keys_footer import KeysFooter


class ConfirmScreen(MagsleepModal[bool]):
    """Dismisses with True for yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="yes"),
        Binding("n,escape", "answer(False)", "No", id="no"),
    ]

    def __init__(self, question: str, yes: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            # Questions name stored things (a dose's form, a night's note): shown as text, controls visible.
            yield Static(plain(self.question), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="confirm-yes")
                yield Button("Cancel (n)", id="confirm-no")
        # Its own keys: the footer of the screen beneath, seen through, offered keys that do nothing here.
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#confirm-no").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.leave(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.leave(answer)
