"""The first-run welcome: what magsleep does, and that it is a tracker, not medical advice."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Markdown

from magsleep.ui.base import MagsleepModal
from magsleep.ui.widgets.keys_footer import KeysFooter

WELCOME = """\
# Welcome to magsleep

Each **evening**: tick off tonight's routine and log your magnesium dose.
Each **morning**: log how you slept (press **l**), a few questions from the Consensus Sleep Diary.

Over a few weeks magsleep shows your sleep trend and compares nights with and without magnesium,
with the uncertainty shown, so you can see honestly whether it helps *you*.

**magsleep is a tracker, not medical advice.** It never suggests a dose. The upper limit for
magnesium from supplements (not food) is 350 mg a day for adults. Kidney disease raises the risk of
toxicity; tetracycline and quinolone antibiotics need 2 hours before or 4-6 hours after magnesium,
bisphosphonates 2 hours apart; some diuretics and long-term acid reflux medicines change magnesium
levels (NIH ODS). **Please check with a healthcare professional first.**

Press **?** any time for the keys, **f** for the forms and cautions (`magsleep guide` prints them).
"""


MAX_SHARE = 0.9
"""The card's share of the terminal's height (as `.dialog`'s max-height in app.tcss)."""
START_ROWS = 4
"""The Start button (3 rows) and the margin above it."""
FOOTER_ROWS = 1
"""The compact footer under the card."""


class WelcomeScreen(MagsleepModal[None]):
    """Shown once, on the first run."""

    BINDINGS = [
        Binding("escape,enter", "dismiss_welcome", "Start", id="start", tooltip="Close this card and begin"),
        # A modal screen hides the App's keys: the card promises ? and q, so it has them itself.
        Binding("question_mark", "app.help", "Help", key_display="?", id="welcome_help", tooltip="Every key"),
        Binding("q", "app.quit", "Quit", id="welcome_quit", tooltip="Leave magsleep"),
        Binding("down", "scroll(1)", "Scroll", id="welcome_down", show=False, tooltip="Scroll the card down"),
        Binding("up", "scroll(-1)", "Scroll up", id="welcome_up", show=False, tooltip="Scroll the card up"),
        Binding("pagedown", "scroll(5)", "Page down", id="welcome_page_down", show=False),
        Binding("pageup", "scroll(-5)", "Page up", id="welcome_page_up", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="welcome", classes="dialog"):
            with VerticalScroll(id="welcome-text") as text:
                text.can_focus = False  # the arrows scroll it from the button (bindings above)
                yield Markdown(WELCOME)
            yield Button("Start", variant="primary", id="welcome-start")
        # Its own footer: the dashboard's, seen through the card, offered keys that do nothing here.
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(Button).focus()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """The text scrolls in what the card leaves above Start: on a short terminal the text is
        cut, never the button (it was below the screen under about 34 rows)."""
        height = self.size.height - FOOTER_ROWS
        room = int(height * MAX_SHARE) - self.query_one("#welcome").styles.gutter.height - START_ROWS
        self.query_one("#welcome-text").styles.max_height = max(3, room)

    def on_button_pressed(self) -> None:
        self.leave()

    def action_dismiss_welcome(self) -> None:
        self.leave()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#welcome-text", VerticalScroll).scroll_relative(y=lines, animate=False)
