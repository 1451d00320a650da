"""A notice instead of a broken layout when the terminal is smaller than 80x24."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class TooSmallScreen(Screen[None]):
    """Asks for a bigger terminal; it goes away by itself when there is room."""

    BINDINGS = [("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("", id="too-small")

    def on_mount(self) -> None:
        self._update()

    def on_resize(self) -> None:
        self._update()

    shown = ""
    """The notice as last drawn: a resize to the same size changes nothing (no layout pass)."""

    def _update(self) -> None:
        width, height = self.app.size
        text = (f"magsleep needs a terminal of at least 80×24.\nThis one is {width}×{height}.\n\n"
                "Make the window bigger, or press q to quit.")
        if text != self.shown:
            self.shown = text
            self.query_one("#too-small", Static).update(text)
