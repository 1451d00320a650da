"""The footer every screen shows: Textual's compact Footer, rebuilt only when its keys change.

Textual's Footer rebuilds all its keys after every bindings change, and a screen opening
publishes several (stack, focus, resume): opening History rebuilt its footer five times, a
third of the time to open it, and the dashboard rebuilt it twice while tonight was loading.
Here a rebuild already queued serves the changes after it (it reads the bindings as they are
when it runs), and a rebuild that would show the same keys, enabled the same way, is skipped.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[str, str, str, bool, str], ...]
"""What the footer draws: each shown key's key, action, description, enabled state and tooltip."""


class KeysFooter(Footer):
    """A compact footer of the screen's keys, without the command-palette key."""

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._rebuild_queued = False
        self._shown: Shown | None = None  # None: nothing composed from the bindings yet

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self._rebuild_queued:
            return
        super().bindings_changed(screen)
        # The same test the Footer makes before it queues a rebuild.
        self._rebuild_queued = self.is_attached and screen is self.screen and bool(screen.app.app_focus)

    def _keys_now(self) -> Shown:
        return tuple((binding.key, binding.action, binding.description, enabled, tooltip or "")
                     for _node, binding, enabled, tooltip in self.screen.active_bindings.values() if binding.show)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys_now()
        yield from super().compose()

    async def recompose(self) -> None:
        self._rebuild_queued = False
        if self._shown is not None and self.is_attached and self._keys_now() == self._shown:
            return  # the same keys: rebuilding would only cost a frame's worth of widgets
        await super().recompose()
