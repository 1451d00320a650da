"""Forms and cautions: every form's elemental %, what 100 mg elemental weighs, short facts with
sources, and the cautions; enter makes the highlighted form the default. Facts only: no form is
recommended."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from magsleep import store
from magsleep.domain.guidance import ASK, CAUTIONS, FormFacts, forms
from magsleep.ui.base import MagsleepScreen
from magsleep.ui.safe_text import plain
from magsleep.ui.widgets.keys_footer import KeysFooter


def form_prompt(facts: FormFacts) -> str:
    pct = f"{facts.elemental_pct:5.1f}%" if facts.elemental_pct is not None else "   ? %"
    weight = f"100 mg Mg = {facts.compound_for_100mg:,} mg" if facts.compound_for_100mg else "give the label's %"
    lines = [f"{facts.form.name:<30} {pct}  {weight}"]
    lines += [f"  · {note}" for note in facts.notes]
    return "\n".join(lines)


class FormsScreen(MagsleepScreen[None]):
    """Forms side by side, and the cautions, with their sources."""

    BINDINGS = [
        Binding("enter", "make_default", "Make default", id="make_default",
                tooltip="Make the highlighted form the dose form's default"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the dashboard"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="forms"):
            # The cautions first: they are what must not be missed, above the fold.
            yield Static("[b]Cautions[/b]", classes="section-title")
            yield Static(plain("\n".join(f"⚠ {text} ({source})" for text, source in CAUTIONS) + f"\n{ASK}"),
                         id="forms-cautions")
            yield Static("[b]Magnesium forms[/b] · elemental % by weight (PMC7397051, Table 3); notes from the NIH "
                         "ODS fact sheet unless named. No form is recommended here; enter makes the highlighted "
                         "one your default.", classes="section-title")
            yield OptionList(*[Option(plain(form_prompt(f)), id=f.form.key) for f in forms()], id="forms-list")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "forms and cautions"
        self.query_one("#forms-list").focus(scroll_visible=False)  # the cautions above stay in view

    @on(OptionList.OptionHighlighted, "#forms-list")
    def _moved(self) -> None:
        # The list sits below the cautions: once the person moves in it, it comes into view whole.
        listing = self.query_one("#forms-list")
        if self.is_mounted and listing.has_focus:
            self.query_one("#forms", VerticalScroll).scroll_to_widget(listing, animate=False, top=True)

    @on(OptionList.OptionSelected, "#forms-list")
    def _selected(self) -> None:
        self.action_make_default()

    def action_make_default(self) -> None:
        options = self.query_one("#forms-list", OptionList)
        if options.highlighted is None:
            return
        key = options.get_option_at_index(options.highlighted).id
        if key is None or key == "other":
            self.app.notify("'other' needs a % for each dose, so it cannot be the default.", title="Forms")
            return

        self.app.run_db(lambda s: store.settings.save_setting("default_form", key, session=s), write=True,
                        done=lambda _: self.app.notify(f"{key} is now the default form.", title="Forms"))

    def action_back(self) -> None:
        self.leave()
