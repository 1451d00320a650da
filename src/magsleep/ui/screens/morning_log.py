"""The morning log: one night's sleep diary, side effects and note; from History also its
doses and checklist.

Every answer is checked by the domain (`diary_from_clock`); an impossible diary gets the
domain's message beside the field it names, and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from magsleep import store
from magsleep.domain.dose_timing import dose_to_bed_min
from magsleep.domain.errors import InvalidInput
from magsleep.domain.magnesium import CONSULT
from magsleep.domain.parsing import MAX_NOTE, clean_note
from magsleep.domain.sleep_diary import (
    QUALITY_WORDS,
    Diary,
    compute_metrics,
    diary_from_clock,
    format_minutes,
)
from magsleep.domain.trackers.night import FORMAT_NAMES
from magsleep.domain.usual_night import usual_answers
from magsleep.ui import screens
from magsleep.ui.base import MagsleepScreen
from magsleep.ui.safe_text import SHORT_FIELD, FieldError, TextField, markup, plain
from magsleep.ui.widgets.checklist import Checklist
from magsleep.ui.widgets.keys_footer import KeysFooter
from magsleep.ui.widgets.symptom_picker import SymptomPicker

if TYPE_CHECKING:
    from sqlmodel import Session

    from magsleep.store.records import CheckRecord, NightRecord
    from magsleep.store.transfer import ImportedParts

# (field, label, placeholder): the Consensus Sleep Diary questions in their order.
QUESTIONS = (
    ("bed", "Got into bed", "HH:MM"),
    ("tried", "Tried to sleep", "HH:MM"),
    ("latency", "Minutes to fall asleep", "min"),
    ("awakenings", "Times woke in the night", "0"),
    ("waso", "Minutes awake, in total", "0"),
    ("final", "Final awakening", "HH:MM"),
    ("up", "Got out of bed", "HH:MM"),
    ("quality", "Sleep quality 1-5", "1-5"),
    ("rested", "How rested 1-5", "1-5"),
)
FIELDS = [q[0] for q in QUESTIONS] + ["guess", "note"]


@dataclass(frozen=True)
class LoggedNight:
    """What the morning log reads for one night: the record, its checklist, the diaries before it,
    what a tracker's import brought for it, and a blinded trial's guess (asked, and the one given)."""

    record: NightRecord | None
    checks: list[CheckRecord]
    recent: dict[date, Diary]
    imported: ImportedParts | None = None
    guessing: bool = False
    guessed: str | None = None


class MorningLogScreen(MagsleepScreen[None]):
    """Log (or edit) the sleep diary of one night."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save", tooltip="Check and save the diary", priority=True),
        Binding("escape", "back", "Back", id="back", tooltip="Leave (asks first when something was changed)"),
        Binding("pagedown", "scroll_page(1)", "Page down", id="page_down", show=False,
                tooltip="Scroll down (the night editor's checklist and doses are below)"),
        Binding("pageup", "scroll_page(-1)", "Page up", id="page_up", show=False, tooltip="Scroll up"),
        Binding("delete,x", "delete_dose", "Delete dose", id="delete_dose", show=False,
                tooltip="Delete the highlighted dose (night editor)"),
    ]

    def __init__(self, night: date, *, edit: bool = False) -> None:
        super().__init__()
        self.night = night
        self.edit = edit
        self.record: NightRecord | None = None
        self.filled = False  # the form holds the stored answers (filled once, never over edits)
        self.suggested: dict[str, str] = {}
        """The usual answers offered as placeholders (field: text)."""
        self.saved_answers: tuple[object, ...] = ()
        """The answers as last loaded or saved: anything else on escape is an unsaved edit."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="log") as log:
            log.can_focus = False  # it was an invisible Tab stop between Note and "Got into bed"
            yield Static(f"[b]Sleep diary[/b] · night of {self.night:%A %d %B %Y}", id="log-title")
            yield Static("", id="log-result")
            for field, label, placeholder in QUESTIONS:
                with Horizontal(classes="row"):
                    yield Label(label, classes="log-label")
                    yield TextField(max_length=SHORT_FIELD, placeholder=placeholder, id=f"log-{field}", compact=True,
                                    classes="short")
                    yield FieldError(id=f"log-{field}-error", inline=True, subject=label)
            # A blinded trial's nightly guess (issue 23), shown only on a sealed night with a bag.
            with Horizontal(classes="row", id="log-guess-row"):
                yield Label("Which bag, A or B?", classes="log-label")
                yield TextField(max_length=1, placeholder="A/B", id="log-guess", compact=True, classes="short")
                yield FieldError(id="log-guess-error", inline=True, subject="The bag guess")
            with Horizontal(classes="row", id="symptom-row"):
                yield Label("Side effects", classes="log-label")
                yield Static("space: none → mild → moderate → severe", classes="hint")
            yield SymptomPicker(id="log-symptoms")
            with Horizontal(classes="row"):
                yield Label("Note", classes="log-label")
                yield TextField(max_length=MAX_NOTE, placeholder="anything worth remembering", id="log-note",
                                compact=True)
            yield FieldError(id="log-note-error", subject="The note")
            if self.edit:
                with Vertical(id="log-extra"):
                    yield Static("[b]Checklist that night[/b]", classes="section-title")
                    yield Checklist(id="log-checklist")
                    yield Static("[b]Doses that night[/b] (x deletes the highlighted one)", classes="section-title",
                                 id="log-doses-title")
                    yield OptionList(id="log-doses")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "night editor" if self.edit else "morning log"
        self.query_one("#log-guess-row").display = False
        self.query_one("#log-bed").focus()
        self.saved_answers = self._answers()
        self.load()

    def load(self) -> None:

        night, first = self.night, not self.filled  # what a tracker brought fills only the first load
        self.app.run_db(lambda s: LoggedNight(store.nights.load_night(night, session=s),
                                              store.routine.checklist_for(night, session=s),
                                              store.nights.recent_diaries(night, session=s),
                                              store.transfer.imported_parts(night, session=s) if first else None,
                                              *store.blinding.guess_for(night, session=s)), done=self._loaded)

    def _loaded(self, result: LoggedNight) -> None:
        self.query_one("#log-guess-row").display = result.guessing
        record = self.record = result.record
        first = not self.filled and self._answers() == self.saved_answers  # nothing typed yet
        self.filled = True
        if first:
            self._fill(result)
        if self.edit:
            self._show_night_extras(record, result.checks)

    def _fill(self, result: LoggedNight) -> None:
        """The stored answers, or the usual ones as suggestions, then what a tracker brought (the
        first load only)."""
        record = result.record
        if record is not None and record.diary is not None:
            d = record.diary
            values = {"bed": f"{d.bed:%H:%M}", "tried": f"{d.tried:%H:%M}", "latency": str(d.latency_min),
                      "awakenings": str(d.awakenings), "waso": str(d.waso_min), "final": f"{d.final:%H:%M}",
                      "up": f"{d.up:%H:%M}", "quality": str(d.quality),
                      "rested": "" if d.rested is None else str(d.rested)}
            for field, value in values.items():
                self.query_one(f"#log-{field}", Input).value = value
            bed = self.query_one("#log-bed", Input)
            if bed.has_focus:  # as if focused after filling: the answer is selected, ready to retype
                bed.select_all()
            self._show_result(record.diary)
        if result.guessed is not None:
            self.query_one("#log-guess", Input).value = result.guessed
        if record is not None:
            self.query_one("#log-note", Input).value = record.note or ""
            self.query_one(SymptomPicker).show(record.symptoms)
        if record is None or record.diary is None:
            self._suggest(usual_answers(list(result.recent.values())))
            if result.imported is not None:
                self._fill_imported(result.imported)
        self.saved_answers = self._answers()

    def _show_night_extras(self, record: NightRecord | None, checks: list[CheckRecord]) -> None:
        """The night editor's checklist and doses (with the last dose's distance from bed)."""
        self.query_one("#log-checklist", Checklist).show(checks)
        doses = self.query_one("#log-doses", OptionList)
        doses.clear_options()
        for d in record.doses if record else ():
            doses.add_option(Option(plain(f"{d.taken_at:%H:%M}  {d.form}  {d.amount_mg:g} mg {d.amount_is}"
                                          f"  = {d.elemental_mg:g} mg elemental"), id=str(d.id)))
        minutes = dose_to_bed_min([d.taken_at for d in record.doses], record.diary.tried) \
            if record is not None and record.diary is not None else None
        if minutes is not None:
            self.query_one("#log-doses-title", Static).update(markup(
                "[b]Doses that night[/b] · last one $when · x deletes the highlighted one",
                when=f"{minutes} min before trying to sleep" if minutes >= 0 else f"{-minutes} min after"))
        if not doses.option_count:
            doses.add_option(Option("No doses that night.", disabled=True))
        else:
            doses.highlighted = 0

    def _fill_imported(self, parts: ImportedParts) -> None:
        """A night a tracker recorded: its times are filled in, and focus goes to the first answer
        it could not know (latency, quality...)."""
        zone = self.app.zone()
        for field, value in (("bed", parts.bed), ("tried", parts.tried), ("final", parts.final), ("up", parts.up)):
            if value is not None:
                self.query_one(f"#log-{field}", Input).value = f"{value.astimezone(zone):%H:%M}"
        for field, number in (("latency", parts.latency_min), ("awakenings", parts.awakenings),
                              ("waso", parts.waso_min), ("quality", parts.quality)):
            if number is not None:
                self.query_one(f"#log-{field}", Input).value = str(number)
        source = FORMAT_NAMES.get(parts.source, parts.source) + (f" ({parts.device})" if parts.device else "")
        self.query_one("#log-result", Static).update(plain(
            f"Imported from {source}: its times are filled in; answer the rest, then ctrl+s."))
        empty = [f for f, _, _ in QUESTIONS if not self.query_one(f"#log-{f}", Input).value]
        if empty and self.query_one("#log-bed", Input).has_focus:
            self.query_one(f"#log-{empty[0]}", Input).focus()

    def _suggest(self, usual: dict[str, str]) -> None:
        """The usual answers as grey placeholders: enter accepts one, typing replaces it. A field
        left empty stays empty: nothing the person did not confirm is saved."""
        self.suggested = usual
        for field, value in usual.items():
            self.query_one(f"#log-{field}", Input).placeholder = value
        if usual:
            self.query_one("#log-result", Static).update(plain(
                "Grey answers are your usual ones (last 14 nights): enter accepts one, typing replaces it."))

    def _show_result(self, diary: Diary) -> None:
        m = compute_metrics(diary)
        self.query_one("#log-result", Static).update(
            f"In bed [b]{format_minutes(m.tib_min)}[/b] · asleep [b]{format_minutes(m.tst_min)}[/b] · "
            f"efficiency [b]{m.se_pct:.1f}%[/b] · quality {QUALITY_WORDS[diary.quality]}")

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        field = (event.input.id or "").removeprefix("log-")
        if not event.value and field in self.suggested:
            event.input.value = self.suggested[field]  # confirmed with enter
        if event.input.id == "log-note":
            self.action_save()
        else:
            self.focus_next()

    # ---------------------------------------------------------------- saving

    def action_save(self) -> None:
        for error in self.query(FieldError):
            error.clear()
        values = {field: self.query_one(f"#log-{field}", Input).value for field in FIELDS}
        app = self.app
        try:
            diary = diary_from_clock(
                self.night, app.zone(), rollover_hour=app.settings_rollover,
                bed=values["bed"], tried=values["tried"] or None, latency=values["latency"],
                awakenings=values["awakenings"] or None, waso=values["waso"] or None, final=values["final"],
                up=values["up"], quality=values["quality"], rested=values["rested"] or None)
            note = clean_note(values["note"])
            guess = values["guess"].strip().upper() if self.query_one("#log-guess-row").display else ""
            if guess not in ("", "A", "B"):
                raise InvalidInput("guess", "must be A or B: the bag you think last night was")
        except InvalidInput as err:
            self._show_error(err.field, err.message)
            return
        symptoms = self.query_one(SymptomPicker).chosen()

        night = self.night

        saved = self._answers()

        def done(_: object) -> None:
            self.saved_answers = saved
            self._show_result(diary)
            message = "Diary saved."
            if symptoms:
                message += f" Side effects noted: if they go on or worry you, {CONSULT[0].lower()}{CONSULT[1:]}"
            self.app.notify(message, title=f"Night of {night:%d %b}")

        at = self.app.now().isoformat(timespec="seconds")

        def write(s: Session) -> None:
            store.nights.save_diary(night, diary, symptoms=symptoms, note=note, session=s)
            if guess:  # with the diary, in one transaction
                store.blinding.record_guess(night, guess, at, session=s)

        self.app.run_db(write, write=True, done=done, failed=lambda err: self._show_error(
            getattr(err, "field", "note"), getattr(err, "message", str(err))))

    def _show_error(self, field: str, message: str) -> None:
        field = field if field in FIELDS else "note"
        self.query_one(f"#log-{field}-error", FieldError).say(message)
        self.query_one(f"#log-{field}", Input).focus()

    # ---------------------------------------------------------------- night editor extras

    @on(Checklist.Ticked, "#log-checklist")
    def _toggled(self, event: Checklist.Ticked) -> None:
        item_id, done, night = event.item_id, event.done, self.night
        def refused(err: Exception) -> None:
            self.app.notify(getattr(err, "message", str(err)), title="Kept as it was", severity="warning", timeout=10)
            self.load()  # the list shows what is stored again

        self.app.run_db(lambda s: store.routine.set_check(night, item_id, done, session=s), write=True,
                        failed=refused)

    def action_delete_dose(self) -> None:
        if not self.edit:
            return
        doses = self.query_one("#log-doses", OptionList)
        if not doses.has_focus or doses.highlighted is None:
            return
        option = doses.get_option_at_index(doses.highlighted)
        if option.id is None:
            return

        dose_id = int(option.id)
        what = option.prompt.plain if hasattr(option.prompt, "plain") else str(option.prompt)

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.run_db(lambda s: store.doses.delete_dose(dose_id, session=s), write=True,
                                done=deleted)

        def deleted(_: object) -> None:
            self.app.notify("Dose deleted.")
            self.load()

        self.app.push_screen(screens.confirm.ConfirmScreen(f"Delete this dose? {' '.join(what.split())}"), answered)

    def action_scroll_page(self, direction: int) -> None:
        log = self.query_one("#log", VerticalScroll)
        if direction > 0:
            log.scroll_page_down(animate=False)
        else:
            log.scroll_page_up(animate=False)

    def _answers(self) -> tuple[object, ...]:
        """What the form holds now: compared with what was loaded or saved to find unsaved edits."""
        return (tuple(self.query_one(f"#log-{field}", Input).value for field in FIELDS),
                tuple(self.query_one(SymptomPicker).chosen()))

    def action_back(self) -> None:
        self.leave_asking(self._answers() != self.saved_answers,
                          "Leave without saving? What you changed in this diary will be lost (ctrl+s saves it).")
