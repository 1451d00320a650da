"""The first-run welcome: what magsleep does, and that it is a tracker, not medical advice."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown

from magsleep.ui.app import OnMagsleepApp

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


class WelcomeScreen(OnMagsleepApp, ModalScreen[None]):
    """Shown once, on the first run."""

    BINDINGS = [
        Binding("escape,enter", "dismiss_welcome", "Start", id="start"),
        Binding("q", "app.quit", "Quit", id="welcome_quit", tooltip="Leave magsleep"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="welcome", classes="dialog"):
            yield Markdown(WELCOME)
            yield Button("Start", variant="primary", id="welcome-start")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self) -> None:
        self.app.leave(self)

    def action_dismiss_welcome(self) -> None:
        self.app.leave(self)
