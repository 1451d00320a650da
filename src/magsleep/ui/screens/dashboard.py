"""The dashboard: tonight's checklist, dose entry, the sleep trend and the summary line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Header, Input, Select, Static

from magsleep import store
from magsleep.domain.errors import InvalidInput
from magsleep.domain.magnesium import LimitStatus, dose_jump, limit_status
from magsleep.domain.nights import night_of
from magsleep.domain.routine import REGULAR_BEDTIME, TAKE_MAGNESIUM, dose_means_taken, is_deviation
from magsleep.domain.trend import (
    GRAPH_METRICS,
    GRAPH_METRICS_BY_KEY,
    METRICS_BY_KEY,
    RANGES,
    NightPoint,
    summary,
)
from magsleep.domain.trial_plan import DEVIATION, trial_item_label
from magsleep.ui import screens, widgets
from magsleep.ui.base import MagsleepScreen
from magsleep.ui.messages import TonightPeeked
from magsleep.ui.safe_text import markup, plain
from magsleep.ui.widgets.checklist import Checklist
from magsleep.ui.widgets.dose_form import DoseForm
from magsleep.ui.widgets.dose_list import DoseList, dose_line
from magsleep.ui.widgets.keys_footer import KeysFooter
from magsleep.ui.widgets.limit_bar import LimitBar

if TYPE_CHECKING:
    from sqlmodel import Session

    from magsleep.domain.insights import Insights  # loaded by the store's worker, after the first frame
    from magsleep.store.records import DoseRecord
    from magsleep.store.tonight import TonightView


T = TypeVar("T")


def hidden(line: Static) -> Static:
    """A line shown only when it has something to say; hidden before it is mounted, which costs
    the first frame nothing (hiding it after cost a layout)."""
    line.display = False
    return line


class DashboardScreen(MagsleepScreen[None]):
    """Home: the evening check-in and the trend at a glance."""

    BINDINGS = [
        Binding("t", "focus_tonight", "Tonight", id="tonight", tooltip="Tonight's checklist", show=False),
        Binding("escape", "focus_tonight", "Checklist", id="leave_field",
                tooltip="Leave the dose form, back to the checklist"),
        Binding("a", "add_dose", "Dose", id="add_dose", tooltip="Jump to the dose amount"),
        Binding("l", "log_sleep", "Sleep", id="log_sleep", tooltip="Last night's sleep diary"),
        Binding("h", "history", "History", id="history", tooltip="Every night, to browse and edit"),
        Binding("m", "next_metric", "Metric", id="metric",
                tooltip="Graph another metric (efficiency … quality, then regularity)"),
        Binding("r", "next_range", "Range", id="range", tooltip="7, 30, 90 nights or all"),
        Binding("i", "insights", "Insights", id="insights", tooltip="Is it working? Comparisons and trial"),
        Binding("p", "trial", "Trial", id="trial", show=False,  # the footer is full at 80 columns
                tooltip="The randomised trial: plan, calendar, start and stop"),
        Binding("s", "settings", "Settings", id="settings", tooltip="Checklist, limit, rollover"),
        Binding("f", "forms", "Forms", id="forms", show=False,  # the footer is full at 80 columns
                tooltip="Magnesium forms side by side, and the cautions"),
        Binding("x", "remove_dose", "Remove dose", id="remove_dose", show=False,
                tooltip="To tonight's doses: x there asks, then removes the highlighted one"),
        Binding("u", "undo_remove", "Undo", id="undo_remove", show=False, tooltip="Bring back the dose just removed"),
    ]

    metric: reactive[str] = reactive("se_pct")
    """The metric the graph shows."""
    range_days: reactive[int | None] = reactive(30)
    """How many nights the graph shows (None: all)."""

    def __init__(self) -> None:
        super().__init__()
        self.view: TonightView | None = None
        self.points: list[NightPoint] = []
        self.loaded_version = -1  # the app's data_version when this screen last loaded
        self.peeked = False  # tonight came from the file before the store opened
        self.amount_wanted = False  # `a` pressed before the dose form was mounted
        self.loads = 0  # counts reloads: a slower, older load never overwrites a newer one
        self._magnesium_item: int | None = None  # the "Take magnesium" item, whatever it reads tonight

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="dash-left"):
            with Vertical(id="tonight-pane", classes="pane") as pane:
                pane.border_title = "Tonight"
                yield hidden(Static("", id="trial-tonight"))
                yield Checklist(id="checklist")
            with Vertical(id="dose-pane", classes="pane") as pane:
                pane.border_title = "Dose"
                # The form (a third of the first frame's cost) is mounted once tonight is shown,
                # above what it adds up; that part scrolls, so the form's rows always show.
                with VerticalScroll(id="dose-status") as status:
                    status.can_focus = False
                    yield hidden(Static("", id="dose-preview"))
                    yield DoseList(id="dose-list")
                    yield LimitBar(id="limit-bar")
                    yield hidden(Static("", id="dose-warning"))
        with Vertical(id="trend-pane", classes="pane") as pane:
            pane.border_title = "Sleep trend"
            # The plot (and plotext) arrive with the data, after the first frame.
            yield Static("", id="trend-placeholder")
            yield Static("[#5fd7ff]●[/] magnesium  [#9e9e9e]○[/] none  [#ffaf00]⋯[/] 7-night avg",
                         id="trend-legend")
            yield Static("Opening your data…", id="trend-summary")
            yield Static("", id="verdict")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(Checklist).focus()

    def _mount_dose_form(self) -> None:
        if self.query(DoseForm):
            return
        form = DoseForm(self.app.now, tick=self.app.clock_tick, id="dose-form-box")
        if self.mount_late(form, into=self.query_one("#dose-pane"), before="#dose-status"):
            form.call_after_refresh(self._dose_form_ready)

    def _dose_form_ready(self) -> None:
        if self.view is not None:
            self.query_one(DoseForm).prepare(self.view.settings, self._usual_dose(self.view), self.app.now())
        if self.amount_wanted:
            self.action_add_dose()

    # ---------------------------------------------------------------- loading

    @on(TonightPeeked)
    def _peeked(self, event: TonightPeeked) -> None:
        if self.view is None:
            self.peeked = True
            self.loaded_version = self.app.data_version
            self._show_tonight(event.view)

    def load(self) -> None:
        """Tonight, then the trend, then the verdict: one job reads them in that order (in one read
        transaction, so they agree) and hands each to the screen as it comes."""
        app = self.app
        if app.store is None:
            return
        night, last = app.tonight(), app.last_night()
        # Tonight read from the file while the store opened is still what is shown: skip it.
        shown = (self.peeked and self.view is not None and self.view.night == night
                 and self.loaded_version == app.data_version)
        self.peeked = False
        self.loaded_version = app.data_version
        self.loads += 1
        this = self.loads

        def hand(show: Callable[[T], None], value: T) -> None:
            if this == self.loads:
                show(value)

        def load(session: Session) -> Insights:
            if not shown:
                app.call_from_thread(hand, self._show_tonight, store.views.tonight_view(night, session=session))
            points = store.views.trend_points(session=session)
            app.call_from_thread(hand, self._show_trend, points)
            return store.insights.load_insights(last, session=session, points=points)

        app.run_db(load, done=lambda insights: hand(self._show_verdict, insights))

    def on_screen_resume(self) -> None:
        # Back from help or a dialog with nothing saved and the same night: nothing to reload.
        app = self.app
        if self.view is None or app.data_version != self.loaded_version or app.tonight() != self.view.night:
            self.load()

    def _show_tonight(self, view: TonightView) -> None:
        self.view = view
        self.sub_title = f"night of {view.night:%a %d %b}"
        phase = self._show_trial(view)
        checks = view.checklist
        self._magnesium_item = next((c.item_id for c in checks if c.label == TAKE_MAGNESIUM), None)
        trial_label = trial_item_label(phase)
        if trial_label:  # a trial night: the item says what the plan says tonight
            checks = tuple(replace(c, label=trial_label) if c.label == TAKE_MAGNESIUM else c for c in checks)
        if view.usual_bed:  # the hint the seed's "regular schedule" asks for
            checks = tuple(replace(c, label=f"{c.label} · usually {view.usual_bed}") if c.label == REGULAR_BEDTIME
                           else c for c in checks)
        self.query_one(Checklist).show(checks)
        self._show_tonight_count()
        for form in self.query(DoseForm):
            form.prepare(view.settings, self._usual_dose(view), self.app.now())
        self._show_doses(view)
        self.call_after_refresh(self._mount_dose_form)  # after tonight's frame

    def _show_trial(self, view: TonightView) -> str | None:
        """Where tonight stands in a randomised trial; returns tonight's phase (None outside one)."""
        line = self.query_one("#trial-tonight", Static)
        phase = view.trial_phase
        line.display = phase is not None or view.trial_notice is not None
        if phase is None:
            line.update(plain(f"⚠ {view.trial_notice}" if view.trial_notice else ""))
            return None
        text = view.trial_line or ""
        if is_deviation(phase, len(view.doses)):  # a bag night's dose ("A"/"B") keeps the plan
            text += f"\n⚠ {DEVIATION}"
        line.update(plain(text))
        return phase

    def _show_trend(self, points: list[NightPoint]) -> None:
        self.points = points
        if not self.query("#trend"):  # the chart (and plotext) arrive with the first points
            self.query_one("#trend-placeholder").remove()
            self.query_one("#trend-pane").mount(widgets.trend_chart.TrendChart(id="trend"), before="#trend-legend")
        self._replot()

    def _show_verdict(self, insights: Insights) -> None:
        weeks = insights.first_weeks
        progress = "" if weeks.start is None or weeks.finished else \
            f"First weeks: night {weeks.nights_done} of {weeks.length}."
        template = "[b]$verdict[/b] $progress" if progress else "[b]$verdict[/b]"
        self.query_one("#verdict", Static).update(markup(template, verdict=insights.verdict, progress=progress))
        self.app.history.read_ahead()

    def _show_tonight_count(self) -> None:
        checklist = self.query_one(Checklist)
        pane = self.query_one("#tonight-pane")
        pane.border_title = f"Tonight · {checklist.done_count}/{checklist.option_count} done"

    def _show_doses(self, view: TonightView) -> None:
        self.query_one(DoseList).show(view.doses)
        bar = self.query_one(LimitBar)
        bar.limit_mg = view.settings.daily_limit_mg
        bar.total_mg = view.total_mg
        warnings = self._total_warnings(view, view.total_mg) if view.doses else []
        warning = self.query_one("#dose-warning", Static)
        warning.update(plain("\n".join(warnings)))
        warning.display = bool(warnings)
        self._show_preview()

    @staticmethod
    def _judge(view: TonightView, total: float) -> tuple[LimitStatus, str | None]:
        """A night's total of `total` mg against the daily limit, and the jump it makes, if any."""
        return limit_status([total], view.settings.daily_limit_mg), dose_jump(view.recent_totals, total)

    def _total_warnings(self, view: TonightView, total: float) -> list[str]:
        """What a night's total of `total` mg is warned about: the limit, and a jump."""
        status, jump = self._judge(view, total)
        return [f"⚠ {text}" for text in (status.message if status.over else None, jump) if text]

    @on(Input.Changed, "#dose-amount, #dose-percent")
    @on(Select.Changed, "#dose-form, #dose-amount-is")
    def _show_preview(self) -> None:
        """While an amount is typed: what tonight's total would become, and its warnings, before enter."""
        line = self.query_one("#dose-preview", Static)
        forms = self.query(DoseForm)
        amount = forms.first().preview() if forms and self.view is not None else None
        if amount is None or self.view is None or self.query_one("#dose-amount", Input).value == "":
            line.display = False
            return
        total = round(self.view.total_mg + amount.elemental_mg, 1)
        status, jump = self._judge(self.view, total)
        text = f"+{amount.elemental_mg:g} → {total:g} / {status.limit_mg:g} mg"
        if status.over:
            text += ": over the daily limit"
        line.update(plain("\n".join([text] + ([f"⚠ {jump}"] if jump else []))))
        line.set_class(status.over or jump is not None, "-warn")
        line.display = True

    def _replot(self) -> None:
        if not self.query("#trend"):
            return
        today = self.app.now().date()
        since = None if self.range_days is None else today - timedelta(days=self.range_days)
        chart = self.query_one("#trend", widgets.trend_chart.TrendChart)
        chart.replot(self.points, self.metric, today, since)
        label = "all nights" if self.range_days is None else f"last {self.range_days}"
        pane = self.query_one("#trend-pane")
        pane.border_title = f"{GRAPH_METRICS_BY_KEY[self.metric].short} · {label}"
        self.query_one("#trend-summary", Static).update(plain(summary(self.points, self.metric, self.app.last_night())))
        regular = self.metric not in METRICS_BY_KEY  # a 14-night figure: no 7-night average drawn
        self.query_one("#trend-legend", Static).update(markup(
            "[#5fd7ff]●[/] magnesium  [#9e9e9e]○[/] none  " + ("each: the 14 nights to it" if regular
                                                             else "[#ffaf00]⋯[/] 7-night avg")))

    def watch_metric(self) -> None:
        if self.is_mounted:
            self._replot()

    def watch_range_days(self) -> None:
        if self.is_mounted:
            self._replot()

    # ---------------------------------------------------------------- checklist

    @on(Checklist.Ticked, "#checklist")
    def _toggled(self, event: Checklist.Ticked) -> None:
        item_id, done = event.item_id, event.done
        night = self.view.night if self.view else self.app.tonight()
        now = self.app.now()
        self._show_tonight_count()
        self.app.run_db(lambda s: store.routine.set_check(night, item_id, done, at=now, session=s), write=True,
                        failed=self._toggle_failed)
        if done and item_id == self._magnesium_item and self._usual_dose_allowed():
            self.action_add_dose()
        elif done:
            self._next_item()

    @staticmethod
    def _usual_dose(view: TonightView) -> DoseRecord | None:
        """The dose to offer: the last one, once a night (no double dose), never on a trial's
        baseline or no-magnesium night."""
        return None if view.doses or not dose_means_taken(view.trial_phase) else view.last_dose

    def _usual_dose_allowed(self) -> bool:
        """Ticking the magnesium item opens the dose form, except on a trial's no-magnesium night
        (there the tick means the plan was kept)."""
        return self.view is None or dose_means_taken(self.view.trial_phase)

    def _next_item(self) -> None:
        """After a tick, the highlight moves on to the next item, so the evening is space, space…"""
        checklist = self.query_one(Checklist)
        if checklist.highlighted is not None and checklist.highlighted < checklist.option_count - 1:
            checklist.highlighted += 1

    def _toggle_failed(self, err: Exception) -> None:
        if isinstance(err, InvalidInput):  # refused, with the reason (a dose keeps its tick)
            self.app.notify(err.message[0].upper() + err.message[1:] + ".", title="Kept as it was",
                            severity="warning", timeout=10)
        else:
            self.app.notify(str(err), title="Not saved", severity="error")
        self.load()

    # ---------------------------------------------------------------- removing a dose

    removed: DoseRecord | None = None
    """The dose removed last, for u to bring back."""

    def action_remove_dose(self) -> None:
        """x: to tonight's doses (x there asks, then removes the highlighted one)."""
        listing = self.query_one(DoseList)
        if not listing.doses:
            self.app.notify("No dose logged tonight to remove.", title="Dose")
            return
        listing.highlighted = 0  # the newest: the one just added by mistake, most often
        listing.focus()

    @on(DoseList.RemoveAsked)
    def _remove_asked(self, event: DoseList.RemoveAsked) -> None:
        dose = event.dose
        what = dose_line(dose)

        def removed(record: DoseRecord | None) -> None:
            self.removed = record
            if record is not None:
                self.app.notify(f"Removed {what}. Press u to bring it back.", title="Dose")
            self.load()

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.run_db(lambda s: store.doses.delete_dose(dose.id, session=s), write=True, done=removed)

        self.app.push_screen(screens.confirm.ConfirmScreen(f"Remove tonight's dose {what}?", yes="Remove"),
                             answered)

    def action_undo_remove(self) -> None:
        record = self.removed
        if record is None:
            self.app.notify("Nothing to undo.", title="Dose")
            return

        def done(_: object) -> None:
            self.removed = None
            self.app.notify(f"The {record.taken_at:%H:%M} dose is back.", title="Dose")
            self.load()

        self.app.run_db(lambda s: store.doses.restore_dose(record, session=s), write=True, done=done)

    # ---------------------------------------------------------------- doses

    @on(DoseForm.Submitted)
    def _add_dose(self, event: DoseForm.Submitted) -> None:
        night = night_of(event.taken_at, self.app.settings_rollover)
        amount, taken = event.amount, event.taken_at
        # Back to the checklist for the rest of the evening now, not when the save is done:
        # keys typed after enter belong there (ui/key_order.py).
        checklist = self.query_one(Checklist)
        on_item = checklist.highlighted is not None and \
            checklist.get_option_at_index(checklist.highlighted).value == self._magnesium_item
        # Moves on from "Take magnesium" only where it reads so (on a trial night the item stays put).
        if on_item and trial_item_label(self.view.trial_phase if self.view else None) is None:
            self._next_item()
        checklist.focus()

        def done(record: DoseRecord) -> None:
            event.dose_form.saved(self.app.now())
            where = "" if night == (self.view.night if self.view else night) else f" (night of {night})"
            self.app.notify(f"Added {record.elemental_mg:g} mg elemental {record.form}{where}.", title="Dose")
            self.load()

        def failed(err: Exception) -> None:
            event.dose_form.show_error("form", str(err))
            event.dose_form.query_one("#dose-amount").focus()  # the dose is still there to retry

        self.app.run_db(lambda s: store.doses.add_dose(night, taken, amount, session=s), write=True,
                        done=done, failed=failed)

    # ---------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "esc Checklist" only means something while the focus is elsewhere.
        if action == "focus_tonight" and self.is_mounted and self.query_one(Checklist).has_focus:
            return False
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_focus_tonight(self) -> None:
        self.query_one(Checklist).focus()

    def action_add_dose(self) -> None:
        amount = self.query("#dose-amount")
        self.amount_wanted = not amount
        if amount:
            amount.first().focus()

    def action_log_sleep(self) -> None:
        self.app.push_screen(screens.morning_log.MorningLogScreen(self.app.last_night()))

    def action_history(self) -> None:
        self.app.push_screen(screens.history.HistoryScreen())

    def action_insights(self) -> None:
        self.app.push_screen(screens.insights.InsightsScreen())

    def action_trial(self) -> None:
        self.app.push_screen(screens.trial.TrialScreen())

    def action_forms(self) -> None:
        self.app.push_screen(screens.forms.FormsScreen())

    def action_settings(self) -> None:
        self.app.push_screen(screens.settings.SettingsScreen())

    def action_next_metric(self) -> None:
        keys = [m.key for m in GRAPH_METRICS]
        self.metric = keys[(keys.index(self.metric) + 1) % len(keys)]

    def action_next_range(self) -> None:
        self.range_days = RANGES[(RANGES.index(self.range_days) + 1) % len(RANGES)]

