"""The command palette's own commands: go to a screen, add a dose, log sleep, export."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

COMMANDS = (
    ("Go to dashboard", "Tonight's checklist, dose and trend", "dashboard"),
    ("Go to history", "Every night, to browse, edit and delete", "history"),
    ("Go to insights", "Is it working? Comparisons, trial progress, report", "insights"),
    ("Go to settings", "Checklist items, limit, rollover, default form", "settings"),
    ("Add dose", "Log a magnesium dose for tonight", "add_dose"),
    ("Log sleep", "Last night's sleep diary", "log_sleep"),
    ("Export data", "Write every night as JSON next to the database", "export"),
    ("Help: keys", "Every key on one page", "help"),
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
        self.app.run_palette_command(action)  # type: ignore[attr-defined]
