"""A one-line bar of the night's elemental total against the daily limit."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from magsleep.domain.magnesium import limit_status


class LimitBar(Widget):
    """``███████░░░░ 200 / 350 mg``; red past the limit."""

    DEFAULT_CSS = """
    LimitBar { height: 1; }
    """

    total_mg: reactive[float] = reactive(0.0)
    """Tonight's elemental total."""
    limit_mg: reactive[float] = reactive(350.0)
    """The daily limit from settings."""

    def render(self) -> Text:
        status = limit_status([self.total_mg], self.limit_mg)
        label = f" {status.total_mg:g} / {status.limit_mg:g} mg"
        width = max(4, self.size.width - len(label))
        filled = min(width, round(width * min(status.share, 1.0)))
        style = "bold red" if status.over else ("yellow" if status.share >= 0.85 else "green")
        text = Text("█" * filled, style=style)
        text.append("░" * (width - filled), style="dim")
        text.append(label, style="bold red" if status.over else "")
        return text
