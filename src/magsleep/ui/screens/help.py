"""The help screen: every key of every screen, read from their bindings so it never goes stale."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.widgets import Static

from magsleep.domain.guidance import ASK, CAUTIONS
from magsleep.ui import screens
from magsleep.ui.base import MagsleepBase, MagsleepModal
from magsleep.ui.safe_text import plain
from magsleep.ui.widgets.keys_footer import KeysFooter

EXTRA = {
    "Dashboard": [("space / enter", "tick or untick the highlighted checklist item"),
                  ("tab / shift+tab", "move between the checklist, the dose fields and Add")],
    "History": [("↑ ↓ PgUp PgDn", "move through the nights"),
                ("Home / End", "first / last night (ctrl+home / ctrl+end too)")],
    "Everywhere": [("escape", "close a dialog or go back")],
}


def _key(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return " / ".join(k.strip().replace("question_mark", "?") for k in binding.key.split(","))


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    pages: tuple[tuple[str, type[DOMNode]], ...] = (
        ("Dashboard", screens.dashboard.DashboardScreen), ("Morning log", screens.morning_log.MorningLogScreen),
        ("History", screens.history.HistoryScreen), ("Insights", screens.insights.InsightsScreen),
        ("Trial", screens.trial.TrialScreen),
        ("Settings", screens.settings.SettingsScreen), ("Forms and cautions", screens.forms.FormsScreen),
        ("Everywhere", MagsleepBase))
    for title, cls in pages:
        rows = [(_key(b), b.tooltip or b.description) for b in cls.BINDINGS if isinstance(b, Binding)]
        out.append((title, rows + EXTRA.get(title, [])))
    return out


class HelpScreen(MagsleepModal[None]):
    """Every key, on one page."""

    BINDINGS = [
        Binding("escape,question_mark", "close", "Close", id="close"),
        Binding("q", "app.quit", "Quit", id="help_quit", tooltip="Leave magsleep (as everywhere)"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog") as box:
            box.border_title = "Keys"
            for title, rows in sections():
                yield Static(f"[b]{title}[/b]", classes="help-title")
                yield Static("\n".join(f"  [b]{key:<16}[/b] {what}" for key, what in rows), classes="help-rows")
            yield Static(plain("Cautions: " + " ".join(text for text, _ in CAUTIONS[:4]) + f" {ASK} (sources: "
                               "f on the dashboard, or magsleep guide)"), classes="hint")
            yield Static("magsleep is a tracker, not medical advice. Escape closes this page; q leaves magsleep.",
                         classes="hint")
        # Its own keys: the footer of the screen beneath, seen through, offered keys that do nothing here.
        yield KeysFooter()

    def action_close(self) -> None:
        self.leave()
