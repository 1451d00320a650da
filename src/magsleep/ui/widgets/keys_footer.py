"""The footer every screen shows: Textual's compact Footer, rebuilt once per burst of changes.

Textual's Footer rebuilds all its keys after every bindings change, and a screen opening
publishes several (stack, focus, resume): opening History rebuilt its footer five times, a
third of the time to open it. Here a rebuild already queued serves the changes after it, since
it reads the bindings as they are when it runs.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """A compact footer of the screen's keys, without the command-palette key."""

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._rebuild_queued = False

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self._rebuild_queued:
            return
        super().bindings_changed(screen)
        # The same test the Footer makes before it queues a rebuild.
        self._rebuild_queued = self.is_attached and screen is self.screen and bool(screen.app.app_focus)

    async def recompose(self) -> None:
        self._rebuild_queued = False
        await super().recompose()
