"""Insights: is it working? The verdict, the first weeks, comparisons with their intervals,
side effects, checklist adherence, and when to see a professional."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Static

from magsleep import render, store
from magsleep.domain.comparison import Comparison, comparison_parts, describe
from magsleep.domain.insights import Insights
from magsleep.domain.n_of_1 import Estimate
from magsleep.domain.trend import METRICS_BY_KEY
from magsleep.ui.base import MagsleepScreen
from magsleep.ui.safe_text import markup, plain
from magsleep.ui.widgets.keys_footer import KeysFooter
from magsleep.ui.widgets.trial_chart import TrialChart

if TYPE_CHECKING:
    from sqlmodel import Session

# Wide enough for "Time to fall asleep" and "1987/1509" nights (both were cut).
COLUMNS = (("Measure", 19), ("Means", 13), ("Difference", 11), ("95% CI", 14), ("Nights", 9))
TABLES = (("on_off", "Nights with magnesium vs without"), ("before_after", "Since starting vs before"))


class InsightsScreen(MagsleepScreen[None]):
    """The honest answer to "is magnesium helping my sleep?"."""

    BINDINGS = [
        Binding("w", "write_report", "Report", id="report",
                tooltip="Write a report for your doctor (HTML and Markdown)"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the dashboard"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.insights: Insights | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="insights"):
            yield Static("Working it out…", id="ins-verdict")
            yield Static("", id="ins-next")
            with Vertical(id="ins-randomised"):
                yield Static("[b]Randomised trial[/b]", classes="section-title")
                yield Static("", id="ins-plan")
                yield Static("", id="ins-pairs")
                yield TrialChart(id="ins-trial-chart")
            yield Static("", id="ins-first-weeks")
            yield Static("", id="ins-dose")
            for kind, title in TABLES:
                yield Static(f"[b]{title}[/b]", classes="section-title")
                yield DataTable(id=f"ins-{kind}", cursor_type="row", zebra_stripes=True, classes="ins-table")
            yield Static("", id="ins-regularity")
            yield Static("", id="ins-timing")
            yield Static("", id="ins-side")
            yield Static("", id="ins-advice")
            yield Static("", id="ins-adherence")
            yield Static("", id="ins-hint", classes="hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "is it working?"
        for table in self.query(DataTable):
            for label, width in COLUMNS:
                table.add_column(label, width=width)
        self.call_after_refresh(self.load)

    def load(self) -> None:
        last = self.app.last_night()
        def job(session: Session) -> Insights:
            insights = store.insights.load_insights(last, session=session)
            if insights.randomised is not None:
                insights.randomised.next_step()  # its simulation runs here, off the UI thread (then cached)
            return insights

        self.app.run_db(job, done=self._loaded)

    def _loaded(self, insights: Insights) -> None:
        self.insights = insights
        self._show_randomised(insights)
        self.query_one("#ins-hint", Static).update(plain(_hint(insights)))
        t = insights.first_weeks
        self.query_one("#ins-verdict", Static).update(markup("[b]$verdict[/b]", verdict=insights.verdict))
        step = insights.randomised.next_step() if insights.randomised is not None else ""
        self.query_one("#ins-next", Static).update(plain(f"Next: {step}" if step else ""))
        self.query_one("#ins-next").display = bool(step)
        bar = ""
        if t.start is not None:
            filled = round(20 * min(t.nights_done, t.length) / t.length)
            bar = f"[#5fd7ff]{'█' * filled}[/][dim]{'░' * (20 - filled)}[/] "
        self.query_one("#ins-first-weeks", Static).update(markup(bar + "$progress", progress=t.progress_text()))
        self.query_one("#ins-dose", Static).update(plain(t.dose_rise_text()))
        for kind, _ in TABLES:
            table = self.query_one(f"#ins-{kind}", DataTable)
            table.clear()
            for c in insights.comparisons:
                if c.kind == kind:
                    table.add_row(*comparison_cells(c))
        reg = insights.regularity
        self.query_one("#ins-regularity", Static).update(plain(
            "Regularity (last 14 nights): " + (
                f"sleep midpoint varies by {reg.midsleep_sd_min:.0f} min (SD); Sleep Regularity Index {reg.sri:.0f} "
                "(100: the same times every day)" if reg.sri is not None and reg.midsleep_sd_min is not None
                else f"needs 7 of them with a diary ({reg.nights} so far)") + "."))
        spread = ", ".join(f"{band} {n}" for band, n in insights.timing_spread.items() if n)
        self.query_one("#ins-timing", Static).update(plain(
            f"Dose to bed: {spread or 'no dosed night with a diary yet'}. Secondary: {describe(insights.timing)} "
            "(doses 30-60 min before bed vs other times)."))
        side = ", ".join(f"{kind} on {n} night{'s' if n != 1 else ''}" for kind, n in insights.side_effects.items())
        over = insights.nights_over_limit
        self.query_one("#ins-side", Static).update(plain(
            f"Side effects: {side or 'none logged'}. Nights over the {insights.settings.daily_limit_mg:g} mg "
            f"limit: {over}."))
        advice = self.query_one("#ins-advice", Static)
        advice.update(plain("\n".join(f"⚠ {a}" for a in insights.advice)))
        advice.display = bool(insights.advice)
        adherence = ", ".join(f"{label} {done / total:.0%}"
                              for label, (done, total) in insights.adherence.items() if total)
        self.query_one("#ins-adherence", Static).update(plain(f"Checklist kept: {adherence or 'nothing ticked yet'}."))

    def _show_randomised(self, insights: Insights) -> None:
        """The plan, its fingerprint, each pair's periods, a chart of them, and the result."""
        plan, result = insights.plan, insights.randomised
        self.query_one("#ins-randomised").display = plan is not None or insights.plan_notice is not None
        if plan is None:
            if insights.plan_notice:  # a plan changed outside magsleep: said, not analysed
                self.query_one("#ins-plan", Static).update(plain(f"⚠ {insights.plan_notice}"))
                self.query_one("#ins-pairs", Static).update("")
                self.query_one(TrialChart).display = False
            return
        self.query_one(TrialChart).display = True
        stopped = f" · stopped {plan.stopped_at[:10]}" if plan.stopped_early and plan.stopped_at else ""
        self.query_one("#ins-plan", Static).update(plain(
            f"Plan {plan.short_fingerprint} (made {plan.created_at[:16].replace('T', ' ')}): {plan.start} to "
            f"{plan.end} · outcome {METRICS_BY_KEY[plan.metric].label.lower()} · baseline {plan.baseline_nights}, "
            f"then {plan.pairs} pairs of {plan.period_nights} nights (first {plan.washout_nights} not counted)"
            f"{stopped}"))
        metric = METRICS_BY_KEY[plan.metric]
        blinded = insights.blinding
        sealed = blinded is not None and blinded.unblinded is None
        if result is None and blinded is not None:
            result = blinded.bags  # sealed: bag A against bag B, no mapping and no call
        if result is None:
            self.query_one("#ins-pairs", Static).update(plain(f"Starts on {plan.start}."))
            self.query_one(TrialChart).replot([], metric.label)
            return
        columns = "bag A          bag B" if sealed else "magnesium      without"
        rows = [f"pair  order    {columns}        difference"]
        for p in result.pairs:
            def cell(mean: float | None, n: int) -> str:
                return f"{mean:6.1f} ({n:>2})" if mean is not None else f"  —    ({n:>2})"
            diff = f"{p.diff:+.1f}" if p.diff is not None else "—"
            order = plan.orders[p.pair - 1]  # a blinded plan's orders are in bags
            rows.append(f"{p.pair:>4}  {order:<7}  {cell(p.on_mean, p.on_n)}  {cell(p.off_mean, p.off_n)}  {diff:>8}")
        if result.deviations and not sealed:
            rows.append(f"Deviations: {len(result.deviations)} nights (per protocol leaves them out: "
                        f"{_estimate_text(result.per_protocol)}).")
        if blinded is not None:
            rows.append(blinded.text())
        self.query_one("#ins-pairs", Static).update(plain("\n".join(rows)))
        self.query_one(TrialChart).replot(result.pairs, f"{metric.label} ({metric.unit})")

    def action_write_report(self) -> None:

        app = self.app
        base = store.files.backup_name(app.db_path, "report", app.now())
        last, made = app.last_night(), app.now().date()  # the app's clock, as every screen's

        def job(session: Session) -> list[Path]:
            return [render.report.write_report(base.with_suffix(f".{fmt}"), fmt, last, session=session, made=made)
                    for fmt in ("html", "md")]

        app.run_db(job, done=lambda paths: app.notify(f"Report written: {paths[0]}", title="Report", timeout=8))

    def action_back(self) -> None:
        self.leave()


def _hint(insights: Insights) -> str:
    """What the comparisons below can say: after a randomised trial its result is about magnesium
    itself; the diary's comparisons never are."""
    if insights.randomised is not None:
        return ("The randomised trial above compares magnesium with its absence in an order drawn by chance; the "
                "tables below are your own nights, an association: other changes (season, stress, the routine "
                "itself) can move them too. magsleep never suggests a dose.")
    return ("These are your own nights, not a clinical trial: other changes (season, stress, the routine itself) "
            "can move them too; a randomised trial (the Trial screen, p) can tell. magsleep never suggests a dose.")


def _estimate_text(e: Estimate) -> str:
    if e.estimate is None or e.ci_low is None:
        return "no estimate yet"
    return f"{e.estimate:+.1f}, 95% CI {e.ci_low:+.1f} to {e.ci_high:+.1f}"


def comparison_cells(c: Comparison) -> tuple[str, ...]:
    """Measure, the two means, the difference, its interval and the nights in each group."""
    label = METRICS_BY_KEY[c.metric].label
    if c.diff is None or c.mean_a is None or c.mean_b is None:  # (a difference has both means)
        return (label, "—", "—", "—", f"{c.n_a}/{c.n_b}")
    diff, interval, _ = comparison_parts(c)
    return (label, f"{_v(c.mean_a, c.metric)} vs {_v(c.mean_b, c.metric)}", diff,
            interval.replace("95% CI ", "") or "too few", f"{c.n_a}/{c.n_b}")


def _v(value: float, metric: str) -> str:
    if metric == "tst_min":
        return f"{value / 60:.1f}h"
    if metric == "quality":
        return f"{value:.1f}"
    return f"{value:.0f}{'%' if metric == 'se_pct' else 'm'}"
