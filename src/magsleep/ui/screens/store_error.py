"""Shown when the database cannot be opened: the store's message, then a clean exit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from magsleep.ui.safe_text import plain
from magsleep.ui.widgets.keys_footer import KeysFooter


class StoreErrorScreen(ModalScreen[None]):
    """The database could not be opened; nothing was changed."""

    BINDINGS = [Binding("q,escape,enter", "leave", "Quit", id="leave")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="store-error", classes="dialog"):
            yield Static("[b]magsleep cannot open its database[/b]", id="store-error-title")
            yield Static(plain(self.message), id="store-error-message")
            yield Static("Press q to quit.", classes="hint")
        # Its own keys: the footer of the screen beneath, seen through, offered keys that do nothing here.
        yield KeysFooter()

    def action_leave(self) -> None:
        self.app.exit(return_code=2, message=self.message)
