"""A report to take to a healthcare professional, as Markdown or a printable HTML page.

It holds the period, the dose history by week (form, elemental mg, usual time), diary averages
by week, the comparisons with their intervals, side effects and checklist adherence.
"""

from __future__ import annotations

import html
import statistics
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from magsleep.domain.comparison import describe
from magsleep.domain.guidance import ASK, CAUTIONS
from magsleep.domain.insights import Insights
from magsleep.domain.magnesium import CONSULT
from magsleep.domain.sleep_diary import SleepMetrics, format_minutes
from magsleep.domain.text_safety import markdown_text, visible
from magsleep.domain.trend import METRICS_BY_KEY
from magsleep.store.files import write_private
from magsleep.store.insights import load_insights
from magsleep.store.nights import load_nights
from magsleep.store.records import NightRecord

Table = tuple[list[str], list[list[str]]]


class Data(str):
    """Text that came from a person or a file (a label, a note): escaped in Markdown."""


def _week(d: date) -> date:
    return d - timedelta(days=d.weekday())


def dose_weeks(records: list[NightRecord]) -> Table:
    weeks: dict[date, list[NightRecord]] = defaultdict(list)
    for r in records:
        if r.doses:
            weeks[_week(r.night)].append(r)
    rows = []
    for start, nights in sorted(weeks.items()):
        forms = sorted({d.form for r in nights for d in r.doses})
        minutes = [d.taken_at.hour * 60 + d.taken_at.minute for r in nights for d in r.doses]
        usual = int(statistics.median(minutes))
        rows.append([f"{start:%Y-%m-%d}", ", ".join(forms), str(len(nights)),
                     f"{statistics.mean(r.elemental_mg for r in nights):.0f}",
                     f"{max(r.elemental_mg for r in nights):.0f}", f"{usual // 60:02d}:{usual % 60:02d}"])
    return (["Week of", "Form", "Nights dosed", "Mean mg/night", "Max mg", "Usual time"], rows)


def diary_weeks(records: list[NightRecord]) -> Table:
    weeks: dict[date, list[tuple[SleepMetrics, int]]] = defaultdict(list)
    for r in records:
        m = r.metrics
        if m is not None and r.diary is not None:
            weeks[_week(r.night)].append((m, r.diary.quality))
    rows = []
    for start, items in sorted(weeks.items()):
        rows.append([f"{start:%Y-%m-%d}", str(len(items)),
                     f"{statistics.mean(m.se_pct for m, _ in items):.1f}%",
                     format_minutes(statistics.mean(m.tst_min for m, _ in items)),
                     f"{statistics.mean(m.sol_min for m, _ in items):.0f} min",
                     f"{statistics.mean(q for _, q in items):.1f}"])
    return (["Week of", "Nights", "Efficiency", "Total sleep", "Time to fall asleep", "Quality"], rows)


def sections(records: list[NightRecord], insights: Insights, first: date | None,
             last: date | None) -> list[tuple[str, object]]:
    """The report as (heading, body) pairs; a body is text, a list of lines, or a table."""
    period = f"{first} to {last}" if first else "no sleep logged"
    regular = insights.regularity
    comparisons = ["Nights with vs without magnesium:"] + [
        f"  {describe(c)}" for c in insights.comparisons if c.kind == "on_off"] + [
        "Since starting vs before:"] + [f"  {describe(c)}" for c in insights.comparisons if c.kind == "before_after"]
    side = [f"{kind}: {n} time{'s' if n != 1 else ''}" for kind, n in insights.side_effects.items()] or ["none logged"]
    adherence = [Data(f"{label}: {done} of {total} logged nights ({done / total:.0%})")
                 for label, (done, total) in insights.adherence.items() if total] or [Data("no logged nights yet")]
    return [
        ("Period", f"{period}; {len(records)} nights, {len(insights.points)} with a sleep diary."),
        ("Summary", insights.verdict),
        *trial_sections(insights),
        ("First weeks", f"{insights.first_weeks.progress_text()} {insights.first_weeks.dose_rise_text()}"),
        ("Magnesium by week", dose_weeks(records)),
        ("Sleep diary by week", diary_weeks(records)),
        ("Comparisons (95% intervals)", comparisons),
        ("Side effects", side + [f"Nights over the {insights.settings.daily_limit_mg:g} mg daily limit: "
                                 f"{insights.nights_over_limit}"]),
        ("Routine checklist", adherence),
        ("Regularity and timing", [
            "Last 14 nights: " + (f"sleep midpoint SD {regular.midsleep_sd_min:.0f} min, Sleep Regularity "
                                  f"Index {regular.sri:.0f}" if regular.sri is not None
                                  and regular.midsleep_sd_min is not None else "fewer than 7 nights of sleep logged"),
            "Dose to bed: " + (", ".join(f"{band} {n}" for band, n in insights.timing_spread.items() if n) or "none"),
            f"Doses 30-60 min before bed vs other times: {describe(insights.timing)}"]),
        ("Cautions", [f"{text} ({source})" for text, source in CAUTIONS] + [ASK]),
        ("Notes", list(insights.advice) + [
            "Self-tracked data from magsleep, a tracker, not a medical device. Intervals come from a "
            "circular block bootstrap that allows for night-to-night correlation.", CONSULT]),
    ]


def trial_sections(insights: Insights) -> list[tuple[str, object]]:
    """The randomised trial: the plan as fixed before the data, the orders, each pair, the result
    and the deviations (CENT 2015 asks for the planned periods, their length and any washout)."""
    plan, result = insights.plan, insights.randomised
    if plan is None:
        return [("Randomised trial", [insights.plan_notice])] if insights.plan_notice else []
    metric = METRICS_BY_KEY[plan.metric]
    lines = [f"Plan {plan.short_fingerprint} (SHA-256 {plan.fingerprint}), made {plan.created_at}, before its "
             f"first night {plan.start}; last night {plan.end}.",
             f"Outcome: {metric.label.lower()} ({metric.unit}). Baseline {plan.baseline_nights} nights, then "
             f"{plan.pairs} pairs of {plan.period_nights}-night periods, one with and one without magnesium in an "
             f"order drawn at random; the first {plan.washout_nights} nights of each period are not counted.",
             "Orders: " + ", ".join(f"pair {i} {o}" for i, o in enumerate(plan.orders, 1)) + "."]
    if plan.stopped_early:
        lines.append(f"Stopped early on {plan.stopped_at}.")
    parts: list[tuple[str, object]] = [("Randomised trial", lines)]
    if result is not None:
        def mean(value: float | None, n: int) -> str:
            return f"{value:.1f} ({n} nights)" if value is not None else f"— ({n} nights)"
        rows = [[str(p.pair), p.order, mean(p.on_mean, p.on_n), mean(p.off_mean, p.off_n),
                 f"{p.diff:+.1f}" if p.diff is not None else "—"] for p in result.pairs]
        parts.append(("Trial pairs", (["Pair", "Order", "With magnesium", "Without", "Difference"], rows)))
        pp = result.per_protocol
        per_protocol = (f"Per protocol (deviation nights left out): {pp.estimate:+.1f}, 95% CI {pp.ci_low:+.1f} "
                        f"to {pp.ci_high:+.1f}." if pp.estimate is not None and pp.ci_low is not None
                        else "Per protocol: no estimate yet.")
        deviations = (f"Deviations (a dose on a night without, or none on a magnesium night): "
                      f"{len(result.deviations)} nights" + (f", {', '.join(str(d) for d in result.deviations[:10])}"
                                                             f"{' …' if len(result.deviations) > 10 else ''}."
                                                             if result.deviations else "."))
        parts.append(("Trial result", [result.text(), per_protocol, deviations]))
    return parts


def _md(text: str) -> str:
    """Our own text as it is; a person's text with Markdown and HTML escaped, controls visible."""
    return markdown_text(text) if isinstance(text, Data) else visible(text)


def to_markdown(title: str, parts: list[tuple[str, object]]) -> str:
    out = [f"# {title}", ""]
    for heading, body in parts:
        out += [f"## {heading}", ""]
        if isinstance(body, tuple):
            head, rows = body
            if not rows:
                out += ["(none)", ""]
                continue
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "---|" * len(head))
            out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
        elif isinstance(body, list):
            for line in body:
                text = Data(line.strip()) if isinstance(line, Data) else line.strip()
                out.append(f"{'  ' if line.startswith('  ') else ''}- {_md(text)}")
        else:
            out.append(_md(body) if isinstance(body, str) else visible(body))
        out.append("")
    return "\n".join(out)


CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
th{background:#f3f3f3}ul{padding-left:1.2rem}@media print{body{margin:0}h2{break-after:avoid}}"""


def to_html(title: str, parts: list[tuple[str, object]]) -> str:
    def e(text: str) -> str:
        return html.escape(visible(text))

    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>"]
    for heading, body in parts:
        out.append(f"<h2>{e(heading)}</h2>")
        if isinstance(body, tuple):
            head, rows = body
            if not rows:
                out.append("<p>(none)</p>")
                continue
            out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows]
            out.append("</tbody></table>")
        elif isinstance(body, list):
            out.append("<ul>" + "".join(f"<li>{e(line.strip())}</li>" for line in body) + "</ul>")
        else:
            out.append(f"<p>{e(str(body))}</p>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def build_report(fmt: str, last: date, *, session: Session, start: date | None = None,
                 end: date | None = None) -> str:
    records = load_nights(session=session, start=start, end=end)
    insights = load_insights(last, session=session, start=start, end=end)
    first = records[0].night if records else None
    final = records[-1].night if records else None
    title = "magsleep report: magnesium and sleep"
    parts = sections(records, insights, first, final)
    return to_html(title, parts) if fmt == "html" else to_markdown(title, parts)


def write_report(path: Path, fmt: str, last: date, *, session: Session, start: date | None = None,
                 end: date | None = None) -> Path:
    """Write the report 0600, complete or not at all (it is health data)."""
    return write_private(path, build_report(fmt, last, session=session, start=start, end=end))
