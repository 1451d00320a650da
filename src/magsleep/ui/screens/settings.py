"""Settings: the checklist items (add, rename, reorder, deactivate), default form, the headline's
outcome, daily limit, rollover hour, first weeks length and the reminder times."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from magsleep import store
from magsleep.domain.errors import InvalidInput
from magsleep.domain.guidance import MAX_MEDICINES
from magsleep.domain.magnesium import FORMS
from magsleep.domain.routine import MAX_LABEL
from magsleep.domain.settings import Settings, parse_setting, setting_text
from magsleep.domain.trend import METRICS_BY_KEY, OUTCOMES
from magsleep.ui.base import MagsleepScreen
from magsleep.ui.safe_text import SHORT_FIELD, FieldError, TextField, markup
from magsleep.ui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from sqlmodel import Session

    from magsleep.store.records import ItemRecord

# Labels fit the 22-column label cell at 80 columns (they were cut: "Daily limit (mg").
FIELDS = (("daily_limit_mg", "Daily limit (mg)"), ("rollover_hour", "New night at (hour)"),
          ("first_weeks_length", "First weeks, nights"), ("medicines", "Medicines (optional)"),
          ("evening_reminder", "Evening reminder"), ("morning_reminder", "Morning reminder"))
CAPS = {"medicines": MAX_MEDICINES}
"""Typing caps beyond the short fields' (a list of medicines is longer than a number)."""


class SettingsScreen(MagsleepScreen[None]):
    """Change the checklist and the settings."""

    BINDINGS = [
        Binding("a", "add_item", "Add", id="add_item", tooltip="Add a checklist item"),
        Binding("r", "rename_item", "Rename", id="rename_item", tooltip="Rename the highlighted item"),
        Binding("space", "toggle_item", "On/off", id="toggle_item", tooltip="Deactivate or reactivate the item"),
        # The footer is full at 80 columns: the hint under the list shows these two.
        Binding("shift+up", "move_item(-1)", "Up", id="move_up", show=False, tooltip="Move the item up"),
        Binding("shift+down", "move_item(1)", "Down", id="move_down", show=False, tooltip="Move the item down"),
        Binding("ctrl+s", "save", "Save", id="save_settings", priority=True,
                tooltip="Save default form, limit, rollover, first weeks and reminder times"),
        Binding("escape", "back", "Back", id="back",
                tooltip="Back to the dashboard (asks first when a setting was changed)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[ItemRecord] = []
        self.editing: int | None = None  # item id being renamed; None when adding
        self.saved_prefs: tuple[object, ...] | None = None
        """The settings as loaded or last saved: anything else on escape is an unsaved edit."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="settings"):
            with Vertical(id="items-pane", classes="pane") as pane:
                pane.border_title = "Checklist items"
                yield OptionList(id="items")
                yield TextField(max_length=MAX_LABEL, placeholder="item label", id="item-input", compact=True)
                yield FieldError(id="item-error", subject="The label")
                yield Static("a add · r rename · space on/off · shift+↑/↓ move", classes="hint")
            with Vertical(id="prefs-pane", classes="pane") as pane:
                pane.border_title = "Settings"
                with Horizontal(classes="row"):
                    yield Label("Default form", classes="pref-label")
                    # Keys, not the long display names: "glycinate / bisglycinate" was cut.
                    yield Select([(f.key, f.key) for f in FORMS], allow_blank=False, value="glycinate",
                                 compact=True, id="pref-default_form")
                with Horizontal(classes="row"):
                    yield Label("Headline outcome", classes="pref-label")
                    yield Select([(METRICS_BY_KEY[metric].label, name) for name, metric in OUTCOMES.items()],
                                 allow_blank=False, value="sol", compact=True, id="pref-primary_outcome")
                for key, label in FIELDS:
                    with Horizontal(classes="row"):
                        yield Label(label, classes="pref-label")
                        yield TextField(max_length=CAPS.get(key, SHORT_FIELD), id=f"pref-{key}", compact=True,
                                        classes="short")
                    yield FieldError(id=f"pref-{key}-error", subject=label)
                yield Static("ctrl+s saves these. magsleep never suggests a dose; the limit is the "
                             "adult upper limit for supplements (350 mg) unless you change it.", classes="hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#item-input").display = False
        self.sub_title = "settings"
        self.query_one("#items").focus()
        self.load()

    def load(self) -> None:

        self.app.run_db(lambda s: (store.routine.list_items(session=s), store.settings.load_settings(session=s)),
                        done=self._loaded)

    def _loaded(self, result: tuple[list[ItemRecord], Settings]) -> None:
        self.items, settings = result
        items = self.query_one("#items", OptionList)
        keep = items.highlighted
        items.clear_options()
        for item in self.items:
            mark = "✓" if item.active else "✗"
            items.add_option(Option(markup("$mark $label$off", mark=mark, label=item.label,
                                           off="" if item.active else "  (off)"), id=str(item.id)))
        if self.items:
            items.highlighted = min(keep or 0, len(self.items) - 1)
        if self.saved_prefs is not None and self._prefs() != self.saved_prefs:
            return  # the person is editing: a reload (another process wrote) never overwrites it
        self.query_one("#pref-default_form", Select).value = settings.default_form
        self.query_one("#pref-primary_outcome", Select).value = settings.primary_outcome
        for key, _ in FIELDS:
            value = getattr(settings, key)
            shown = f"{value:g}" if isinstance(value, float) else setting_text(value)  # a time as HH:MM
            self.query_one(f"#pref-{key}", Input).value = shown
        self.saved_prefs = self._prefs()

    def _prefs(self) -> tuple[object, ...]:
        """The settings as the form holds them now."""
        return (self.query_one("#pref-default_form", Select).value,
                self.query_one("#pref-primary_outcome", Select).value,
                *(self.query_one(f"#pref-{key}", Input).value for key, _ in FIELDS))

    def _current(self) -> ItemRecord | None:
        items = self.query_one("#items", OptionList)
        if not items.has_focus or items.highlighted is None or items.highlighted >= len(self.items):
            return None
        return self.items[items.highlighted]

    # ---------------------------------------------------------------- checklist items

    def action_add_item(self) -> None:
        self._open_item_input(None, "")

    def action_rename_item(self) -> None:
        item = self._current()
        if item is not None:
            self._open_item_input(item.id, item.label)

    def _open_item_input(self, item_id: int | None, value: str) -> None:
        self.editing = item_id
        box = self.query_one("#item-input", Input)
        box.placeholder = "new item label" if item_id is None else "new name"
        box.value = value
        box.display = True
        box.focus()

    @on(Input.Submitted, "#item-input")
    def _item_submitted(self, event: Input.Submitted) -> None:
        label, item_id = event.value, self.editing
        tonight = self.app.tonight()
        # Back to the list now, not when the save is done: keys typed after enter belong there.
        self._close_item_input()

        def job(s: Session) -> None:
            if item_id is None:
                store.routine.add_item(label, session=s, created_on=tonight)
            else:
                store.routine.rename_item(item_id, label, session=s)

        def failed(err: Exception) -> None:
            self._open_item_input(item_id, label)  # the label comes back, to be corrected
            self.query_one("#item-error", FieldError).say(err.message if isinstance(err, InvalidInput) else str(err))

        self.app.run_db(job, write=True, done=lambda _: self.load(), failed=failed)

    def _close_item_input(self) -> None:
        self.query_one("#item-input", Input).display = False
        self.query_one("#item-error", FieldError).clear()
        self.query_one("#items").focus()

    def action_toggle_item(self) -> None:
        item = self._current()
        if item is None:
            return

        self.app.run_db(lambda s: store.routine.set_active(item.id, not item.active, session=s), write=True,
                        done=lambda _: self.load())

    def action_move_item(self, offset: int) -> None:
        item = self._current()
        if item is None:
            return

        items = self.query_one("#items", OptionList)
        target = max(0, min(len(self.items) - 1, (items.highlighted or 0) + offset))

        def done(_: object) -> None:
            items.highlighted = target
            self.load()

        self.app.run_db(lambda s: store.routine.move_item(item.id, offset, session=s), write=True, done=done)

    # ---------------------------------------------------------------- settings

    def action_save(self) -> None:
        values = {"default_form": str(self.query_one("#pref-default_form", Select).value),
                  "primary_outcome": str(self.query_one("#pref-primary_outcome", Select).value)}
        errors = False
        for key, _ in FIELDS:
            error = self.query_one(f"#pref-{key}-error", FieldError)
            text = self.query_one(f"#pref-{key}", Input).value
            try:
                parse_setting(key, text)
            except InvalidInput as err:
                error.say(err.message)
                errors = True
                continue
            error.clear()
            values[key] = text
        if errors:
            return

        def job(s: Session) -> dict[str, object]:
            return {key: store.settings.save_setting(key, value, session=s) for key, value in values.items()}

        at_save = self._prefs()

        def done(saved: dict[str, Any]) -> None:
            self.saved_prefs = at_save
            self.app.settings_rollover = saved["rollover_hour"]
            self.app.notify("Settings saved.", title="Settings")

        self.app.run_db(job, write=True, done=done)

    def action_back(self) -> None:
        if self.query_one("#item-input", Input).display:
            self._close_item_input()
            return
        unsaved = self.saved_prefs is not None and self._prefs() != self.saved_prefs
        self.leave_asking(unsaved, "Leave without saving the settings you changed? (ctrl+s saves them)")
