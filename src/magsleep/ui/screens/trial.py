"""The Trial screen: tonight and tomorrow in a randomised trial, the plan or the one recommended
for your own nights (with shorter alternatives, their weeks and power), a calendar of the nights,
and start, extend and stop, each after a confirmation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from magsleep import store
from magsleep.domain.blinding import BlindedResult, analyse_blinded
from magsleep.domain.n_of_1 import TrialResult, analyse
from magsleep.domain.trial_calendar import LEGEND, assignment, calendar_weeks, week_line
from magsleep.domain.trial_plan import TrialPlan, make_plan, tonight_text
from magsleep.domain.trial_sizing import Sizing
from magsleep.ui.base import MagsleepScreen
from magsleep.ui.safe_text import plain
from magsleep.ui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class TrialView:
    """What the screen shows, read in one worker: the current plan (None: none, or a damaged one
    with its notice), whether it runs tonight, its result, and the plan recommended for a new trial."""

    tonight: date
    plan: TrialPlan | None
    running: bool
    notice: str | None
    result: TrialResult | BlindedResult | None
    sizing: Sizing | None


def load_view(tonight: date, last: date, *, session: Session) -> TrialView:
    current = store.trials.current_trial(session=session)
    plan = current if isinstance(current, TrialPlan) else None
    notice = current.notice if isinstance(current, store.tonight.DamagedPlan) else None
    running = store.tonight.running(current, tonight)
    result = None
    if plan is not None and tonight >= plan.start:
        nights = store.views.trial_nights(plan, session=session)
        result = (analyse_blinded(plan, nights, last, store.blinding.guesses(plan, session=session)) if plan.blinded
                  else analyse(plan, nights, last))
        result.next_step()  # its simulation runs here, in the worker (then cached)
    return TrialView(tonight, plan, running, notice, result, None)


def load_sizing(*, session: Session) -> Sizing:
    """The plan a new trial would have, sized to the nights so far (a simulation: about a second)."""
    from magsleep.domain import trial_sizing

    outcome = store.settings.load_settings(session=session).primary_outcome
    values, missing = trial_sizing.usable_nights(store.views.trend_points(session=session), outcome)
    return trial_sizing.recommend(outcome, None, values, missing)


class TrialScreen(MagsleepScreen[None]):
    """The randomised trial, from the keyboard."""

    BINDINGS = [
        Binding("s", "start", "Start", id="trial_start", tooltip="Start the recommended trial (asks first)"),
        Binding("e", "extend", "Extend", id="trial_extend",
                tooltip="Add the pairs the trial needs to find the effect (asks first; before its end)"),
        Binding("x", "stop", "Stop", id="trial_stop", tooltip="Stop the running trial early (asks first)"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the dashboard"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: TrialView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="trial"):
            yield Static("Working it out…", id="trial-tonight")
            yield Static("", id="trial-result")
            yield Static("", id="trial-plan")
            yield Static("", id="trial-calendar")
            yield Static("A randomised trial compares periods with and without magnesium in an order drawn by "
                         "chance and fixed before its nights, so it can tell magnesium from everything else. "
                         "magsleep never suggests a dose: keep to the one you and your healthcare professional "
                         "chose.", classes="hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "randomised trial"
        self.load()

    def load(self) -> None:
        tonight, last = self.app.tonight(), self.app.last_night()
        self.app.run_db(lambda s: load_view(tonight, last, session=s), done=self._loaded)

    def _loaded(self, view: TrialView) -> None:
        self.view = view
        self.query_one("#trial-tonight", Static).update(plain(_tonight_text(view)))
        result = view.result
        step = result.next_step() if result is not None else ""
        self.query_one("#trial-result", Static).update(
            plain(result.text() + (f"\nNext: {step}" if step else "")) if result is not None else "")
        self.query_one("#trial-result").display = result is not None
        self.query_one("#trial-plan", Static).update(plain(_plan_text(view)))
        calendar = self.query_one("#trial-calendar", Static)
        calendar.display = view.plan is not None
        if view.plan is not None:
            weeks = calendar_weeks(view.plan, view.tonight)
            calendar.update(plain("\n".join(["Week of     Mo Tu We Th Fr Sa Su"] + [week_line(w) for w in weeks]
                                            + [LEGEND])))
        self.refresh_bindings()
        if not view.running and view.sizing is None:  # then the recommendation, which takes a moment
            self.app.run_db(lambda s: load_sizing(session=s), done=lambda sizing: self._sized(view, sizing))

    def _sized(self, view: TrialView, sizing: Sizing) -> None:
        if self.view is view:  # not when a newer load (a trial just started) came in meanwhile
            self._loaded(replace(view, sizing=sizing))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Start only with no trial running, extend only when the trial needs it, stop only a running one."""
        view = self.view
        if action == "start":  # once the plan it would start is known
            return view is not None and not view.running and view.sizing is not None
        if action == "extend":
            return view is not None and view.running and isinstance(view.result, TrialResult) \
                and view.result.extension is not None
        if action == "stop":
            return view is not None and view.running
        return True

    def action_start(self) -> None:
        view = self.view
        if view is None or view.running or view.sizing is None:
            return
        best, outcome = view.sizing.recommended, view.sizing.outcome
        question = (f"Start a randomised trial tonight? {best.words()}. No magnesium on the "
                    f"{best.baseline_nights} baseline nights; then the dashboard says each night whether to "
                    "take it.")

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            now = self.app.now()
            tonight = self.app.tonight()

            def job(session: Session) -> TrialPlan:
                plan = make_plan(tonight, now.isoformat(timespec="seconds"), baseline=best.baseline_nights,
                                 period=best.period_nights, pairs=best.pairs, washout=best.washout_nights,
                                 outcome=outcome)
                return store.trials.add_trial(plan, tonight, session=session)

            self.app.run_db(job, write=True, done=lambda plan: self._written(
                f"Trial {plan.short_fingerprint} starts tonight and runs to {plan.end}."))

        self.app.ask(question, yes="Start", then=answered)

    def action_extend(self) -> None:
        view = self.view
        if view is None or not isinstance(view.result, TrialResult) or view.result.extension is None:
            return
        pairs, _, then = view.result.extension
        more = pairs - view.result.plan.pairs
        question = (f"Extend the trial by {more} pairs, to {pairs}? It would then find a real "
                    f"{view.result.effect:g} improvement about {round(then * 10)} times in 10.")

        def answered(yes: bool | None) -> None:
            if yes:
                at, tonight = self.app.now().isoformat(timespec="seconds"), self.app.tonight()
                self.app.run_db(lambda s: store.trials.extend_trial(more, at, tonight, session=s), write=True,
                                done=lambda plan: self._written(f"Extended: the trial now runs to {plan.end}."))

        self.app.ask(question, yes="Extend", then=answered)

    def action_stop(self) -> None:
        if self.view is None or not self.view.running:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                at, tonight = self.app.now().isoformat(timespec="seconds"), self.app.tonight()
                self.app.run_db(lambda s: store.trials.stop_trial(at, tonight, session=s), write=True,
                                done=lambda _: self._written("Trial stopped: no conclusion is drawn from it."))

        self.app.ask("Stop the trial now? A trial stopped early draws no conclusion; the nights logged so far are "
                     "kept.", yes="Stop", then=answered)

    def _written(self, message: str) -> None:
        """After a start, an extension or a stop: said, and every screen shows the new plan."""
        self.app.notify(message, title="Trial")
        self.app.announce("trial")

    def action_back(self) -> None:
        self.leave()


def _tonight_text(view: TrialView) -> str:
    if view.notice:
        return f"⚠ {view.notice}"
    plan = view.plan
    if plan is None or not view.running:
        ended = f" The last one ran from {plan.start} to {plan.end}." if plan is not None else ""
        return f"No trial is running.{ended} s starts the plan below, after you confirm."
    tomorrow = view.tonight + timedelta(days=1)
    return f"Tonight: {tonight_text(plan, view.tonight)}\nTomorrow: {assignment(plan, tomorrow)}."


def _plan_text(view: TrialView) -> str:
    plan = view.plan
    lines = []
    if plan is not None and view.running:
        lines.append(f"Plan {plan.short_fingerprint} (made {plan.created_at[:16].replace('T', ' ')}): "
                     f"{plan.start} to {plan.end}, {plan.weeks} weeks · baseline {plan.baseline_nights} nights, then "
                     f"{plan.pairs} pairs of {plan.period_nights} nights (the first {plan.washout_nights} of each "
                     f"settle in, not counted) · outcome {plan.outcome}.")
    if view.sizing is not None:
        lines.append("Recommended for a new trial, sized to your nights:")
        lines += view.sizing.lines()
    elif not view.running:
        lines.append("Sizing a trial to your nights…")
    return "\n".join(lines)
