"""The command palette: magsleep's own commands (go to a screen, add a dose, log sleep, export),
and a palette that survives keys pressed before its list is laid out."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Literal, cast

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.command import (
    CommandInput,
    CommandList,
    CommandPalette,
    DiscoveryHit,
    Hit,
    Hits,
    Provider,
    SearchIcon,
)
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, LoadingIndicator

if TYPE_CHECKING:
    from magsleep.ui.base import MagsleepBase

COMMANDS = (
    ("Go to dashboard", "Tonight's checklist, dose and trend", "dashboard"),
    ("Go to history", "Every night, to browse, edit and delete", "history"),
    ("Go to insights", "Is it working? The verdict, comparisons, the first weeks, report", "insights"),
    ("Go to settings", "Checklist items, limit, rollover, default form", "settings"),
    ("Go to trial", "The randomised trial: the plan sized to your nights, its calendar, start and stop", "trial"),
    ("Forms and cautions", "Every magnesium form's elemental %, notes and sources; the cautions", "forms"),
    ("Add dose", "Log a magnesium dose for tonight", "add_dose"),
    ("Log sleep", "Last night's sleep diary", "log_sleep"),
    ("Export data", "Write every night as JSON next to the database", "export"),
    ("Import nights", "From Sleepmeter, Plees, Sleep as Android, Fitbit or Apple Health: preview first", "import"),
    ("Help", "Every key on one page", "help"),
)


class MagsleepCommands(Provider):
    """magsleep's commands in the ctrl+p palette (the theme switcher comes with Textual)."""

    async def discover(self) -> Hits:
        for title, help_text, action in COMMANDS:
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action), help=help_text)

    def _run(self, action: str) -> None:
        cast("MagsleepBase", self.app).run_palette_command(action)  # Textual types a Provider's app as App


class SteadyCommandList(CommandList):
    """Textual's command list, except that a page move while the list has no height yet is
    skipped: PageUp/PageDown in the moment after the list fills but before it is laid out raised
    KeyError (textual 8.2: OptionList._move_page reads a line map that is empty until then)."""

    def _move_page(self, direction: Literal[-1, 1]) -> None:
        if self.scrollable_content_region.height:
            super()._move_page(direction)


class SteadyCommandPalette(CommandPalette):
    """Textual's palette with the steady list, and escape pressed twice before it is gone does
    not dismiss it twice (the second time Textual popped the screen beneath it). magsleep's
    palette and its theme picker both use it; Textual's own class is left as it is."""

    def compose(self) -> ComposeResult:
        # Textual's compose (textual 8.2 command.py), with SteadyCommandList for CommandList.
        with Vertical(id="--container"):
            with Horizontal(id="--input"):
                yield SearchIcon()
                yield CommandInput(placeholder=self._placeholder, select_on_focus=False)
                if not self.run_on_select:
                    yield Button("\u25b6")
            with Vertical(id="--results"):
                yield SteadyCommandList()
                yield LoadingIndicator()

    def dismiss(self, result: None = None) -> AwaitComplete:
        if not self.is_active:
            return AwaitComplete.nothing()
        return super().dismiss(result)
