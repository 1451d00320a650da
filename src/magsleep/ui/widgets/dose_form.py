"""The dose entry form: form, amount, what the amount means, and the time.

Checks go through the domain (`dose_amount`, the time parser); a bad field gets its message
beside it and nothing is posted, and the typed text stays so it can be corrected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from magsleep.domain.errors import InvalidInput
from magsleep.domain.guidance import spacing_reminders
from magsleep.domain.magnesium import FORMS, DoseAmount, dose_amount
from magsleep.domain.nights import attach_zone
from magsleep.domain.parsing import parse_moment
from magsleep.domain.settings import Settings
from magsleep.domain.text_safety import visible
from magsleep.ui.safe_text import SHORT_FIELD, FieldError, TextField

if TYPE_CHECKING:
    from magsleep.store.records import DoseRecord

FIELDS = ("form", "amount", "percent", "time")


class DoseForm(Vertical):
    """Add a dose; posts `DoseForm.Submitted` with checked values."""

    @dataclass
    class Submitted(Message):
        """A checked dose, ready to store."""

        dose_form: DoseForm
        amount: DoseAmount
        taken_at: datetime

    def __init__(self, clock: Callable[[], datetime], *, tick: float = 5.0, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        """The current moment, aware: given by the screen (the app's clock), never read from the app."""
        self.tick = tick
        """Seconds between looks at the clock (the time field follows it until one is typed)."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("Form", classes="field-label")
            yield Select([(f.name, f.key) for f in FORMS], value="glycinate", allow_blank=False,
                         compact=True, id="dose-form")
        with Horizontal(classes="row"):
            yield Label("Amount", classes="field-label")
            yield TextField(max_length=SHORT_FIELD, placeholder="mg", id="dose-amount", compact=True, classes="short")
            yield Select([("elemental (label)", "elemental"), ("compound weight", "compound")],
                         value="elemental", allow_blank=False, compact=True, id="dose-amount-is")
        yield FieldError(id="dose-amount-error", subject="The amount")
        with Horizontal(classes="row", id="dose-percent-row") as percent_row:
            percent_row.display = False  # only for the form "other"
            yield Label("% Mg", classes="field-label")
            yield TextField(max_length=SHORT_FIELD, placeholder="%", id="dose-percent", compact=True, classes="short")
        yield FieldError(id="dose-percent-error", subject="The % Mg")
        with Horizontal(classes="row"):
            yield Label("Time", classes="field-label")
            yield TextField(max_length=SHORT_FIELD, placeholder="HH:MM", id="dose-time", compact=True, classes="short")
            yield Button("Add dose", id="dose-add", compact=True, variant="primary")
        yield FieldError(id="dose-time-error", subject="The time")
        reminder = Static("", id="dose-reminder", markup=False)
        reminder.display = False
        yield reminder
        yield FieldError(id="dose-form-error")

    shown_time = ""
    """The time this form last wrote into the time field: while the field still holds it, the
    person has not edited it and it follows the clock."""

    def on_mount(self) -> None:
        self.set_interval(self.tick, self._follow_clock)

    def prepare(self, settings: Settings, usual: DoseRecord | None, now: datetime) -> None:
        """Tonight's defaults: the settings' form, `usual` offered, the time, the reminders."""
        self.set_defaults(settings.default_form, now)
        self.offer_usual(usual)
        self.show_reminders(settings.medicines)

    def set_defaults(self, form: str, now: datetime) -> None:
        """The settings' default form unless the person chose another, and the time field set to
        now unless the person typed one (a reload, after any write, must not undo a choice)."""
        chooser = self.query_one("#dose-form", Select)
        if not self.shown_form or chooser.value == self.shown_form:
            chooser.value = self.shown_form = form
        self._show_time(now, force=False)

    shown_form = ""
    """The form this form last set by itself: while it is still chosen, it follows the settings."""

    def show_reminders(self, medicines: str) -> None:
        """The spacing cautions that apply to the medicines listed in Settings (never a dose)."""
        reminders = spacing_reminders(medicines)
        line = self.query_one("#dose-reminder", Static)
        line.update(visible(" ".join(f"⚠ {r}" for r in reminders)))
        line.display = bool(reminders)

    offered = ""
    """The amount this form offered (the usual dose), while the person has not changed it."""

    def offer_usual(self, last: DoseRecord | None) -> None:
        """The last dose's form and amount, ready to add with enter (typing replaces them); with
        nothing to offer (a dose is already logged tonight, maybe from another shell), an offer
        still standing untouched is taken back, so enter cannot add a second dose unasked."""
        amount = self.query_one("#dose-amount", Input)
        if last is None:
            if self.offered and amount.value == self.offered:
                amount.value = ""
            self.offered = ""
            return
        if amount.value:
            return
        self.query_one("#dose-form", Select).value = last.form
        self.query_one("#dose-amount-is", Select).value = last.amount_is
        if last.form == "other" and last.percent is not None:
            self.query_one("#dose-percent", Input).value = f"{last.percent:g}"
        amount.value = self.offered = f"{last.amount_mg:g}"

    def _show_time(self, now: datetime, *, force: bool) -> None:
        time_input = self.query_one("#dose-time", Input)
        if force or time_input.value in ("", self.shown_time):
            self.shown_time = f"{now:%H:%M}"
            time_input.value = self.shown_time

    def _follow_clock(self) -> None:
        self._show_time(self.clock(), force=False)

    @property
    def time_edited(self) -> bool:
        """True once the person has typed their own time (it then stays as typed)."""
        return self.query_one("#dose-time", Input).value not in ("", self.shown_time)

    @on(Select.Changed, "#dose-form")
    def _form_changed(self, event: Select.Changed) -> None:
        other = event.value == "other"
        self.query_one("#dose-percent-row").display = other
        if not other:  # a % that can't be seen must not decide anything
            self.query_one("#dose-percent", Input).value = ""
            self.query_one("#dose-percent-error", FieldError).clear()

    @on(Button.Pressed, "#dose-add")
    @on(Input.Submitted, "#dose-amount, #dose-time, #dose-percent")
    def submit(self) -> None:
        """Check every field; post the dose or show each message beside its field."""
        self.clear_errors()
        now = self.clock()
        errors: dict[str, str] = {}
        amount = None
        try:
            amount = self._amount()
        except InvalidInput as err:
            errors[err.field] = err.message
        taken = None
        try:
            if not self.time_edited:  # the clock's own time, to the second, not the minute shown
                self._show_time(now, force=False)
            moment = parse_moment(self.query_one("#dose-time", Input).value, "time", today=now.date(),
                                  zone=now.tzinfo)
            taken = moment if moment.tzinfo is not None else attach_zone(moment, now.tzinfo or UTC)
            if taken - now > timedelta(minutes=5):
                raise InvalidInput("time", f"{taken:%H:%M} is later than now; use a past time")
        except InvalidInput as err:
            errors["time"] = err.message
        if errors or amount is None or taken is None:
            for field, message in errors.items():
                self.show_error(field, message)
            return
        self.post_message(self.Submitted(self, amount, taken))

    def preview(self) -> DoseAmount | None:
        """The dose as typed so far when it is a valid one, else None (nothing is said beside the
        fields: that waits for enter)."""
        try:
            return self._amount()
        except InvalidInput:
            return None

    def _amount(self) -> DoseAmount:
        """The dose the fields hold, checked by the domain (raises InvalidInput naming the field)."""
        form = str(self.query_one("#dose-form", Select).value)
        percent = self.query_one("#dose-percent", Input).value if form == "other" else None
        return dose_amount(form, self.query_one("#dose-amount", Input).value,
                           compound=self.query_one("#dose-amount-is", Select).value == "compound",
                           percent=percent or None)

    def show_error(self, field: str, message: str) -> None:
        self.query_one(f"#dose-{field if field in FIELDS else 'form'}-error", FieldError).say(message)

    def clear_errors(self) -> None:
        for error in self.query(FieldError):
            error.clear()

    def saved(self, now: datetime) -> None:
        """After a successful save: empty the amount, time back to now."""
        self.query_one("#dose-amount", Input).value = ""
        self._show_time(now, force=True)
