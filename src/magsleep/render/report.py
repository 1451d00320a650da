"""The report a person takes to a clinician, as a printable HTML page or Markdown.

Its first page holds the header (period, date made, a blank name line, the forms and doses, the
medicines, the daily limit), a note addressed to the person, and the answer: the randomised trial
when there is one (its own texts, from the domain), else the headline in a clinician's words with
what it can and cannot tell. Then the sleep-diary chart (`diary_chart`), the weekly trend
(`week_chart`), the nightly table, side effects by date, the comparisons, regularity and dose
timing. Everything a person typed is escaped for where it goes (HTML, SVG, a Markdown table).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlmodel import Session

from magsleep import local_time
from magsleep.domain.comparison import MIN_NIGHTS, describe
from magsleep.domain.guidance import CAUTIONS
from magsleep.domain.headline import Effect
from magsleep.domain.insights import Insights
from magsleep.domain.magnesium import CONSULT
from magsleep.domain.nights import week_of
from magsleep.domain.sleep_diary import format_minutes, minutes_between
from magsleep.domain.trend import METRICS_BY_KEY, OUTCOMES
from magsleep.domain.trial_plan import TrialPlan
from magsleep.domain.usual_night import usual_clock
from magsleep.render.diary_chart import NIGHTS_PER_PAGE, diary_chart, logged_night, nights_between, trial_labels
from magsleep.render.document import Block, Chart, Data, Line, Note, Section, Table, to_html, to_markdown
from magsleep.render.week_chart import week_chart
from magsleep.store.errors import StoreError
from magsleep.store.files import write_private
from magsleep.store.records import NightRecord
from magsleep.store.report_data import ReportData, load_report_data

TITLE = "Magnesium and sleep: a self-kept sleep diary"
SEVERITY = {1: "mild", 2: "moderate", 3: "severe"}
FOR_THE_PERSON = Note("For the person who kept this diary: if poor sleep goes on, or a side effect or the daily "
                  "limit shows up here, please talk to your doctor or pharmacist, and bring this report.")


def plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


_COMMAND_ASIDE = re.compile(r"\s*\('magsleep [^']*'\)")
_COMMAND_SENTENCE = re.compile(r"\s*[^.]*'magsleep [^']*'[^.]*\.")


def without_commands(text: str) -> str:
    """The app's own texts point at commands ("a trial can tell ('magsleep trial plan')", "'magsleep
    trial stop' ends it."); a report for a clinician keeps the words and drops the commands."""
    return _COMMAND_SENTENCE.sub("", _COMMAND_ASIDE.sub("", text)).strip()


def for_the_reader(text: str) -> str:
    """An advice line of the app without its "please check with a professional" (the report is
    read by one: the person gets their note on the first page)."""
    text = without_commands(text).replace(CONSULT, "").replace(CONSULT[0].lower() + CONSULT[1:], "")
    return re.sub(r"\s*[^.:]*:\s*$", ".", text.strip()).replace("..", ".").strip()


def _hm(moment: object) -> str:
    return f"{moment:%H:%M}" if moment is not None else ""


# ---------------------------------------------------------------- the first page


def header(data: ReportData, made: date) -> list[Block]:
    records, settings = list(data.records.values()), data.insights.settings
    logged = sum(1 for r in records if r.diary is not None)
    missing = sum(1 for n in nights_between(data.first, data.last) if not logged_night(data.records.get(n)))
    forms: dict[str, list[NightRecord]] = defaultdict(list)
    for r in records:
        for form in sorted({d.form for d in r.doses}):
            forms[form].append(r)
    used: list[list[str]] = []
    for form, nights in forms.items():
        mgs = [sum(d.elemental_mg for d in r.doses if d.form == form) for r in nights]
        usual = usual_clock([d.taken_at for r in nights for d in r.doses if d.form == form])
        low, high = min(mgs), max(mgs)
        amount = f"{low:g}" if low == high else f"{low:g} to {high:g} (median {statistics.median(mgs):g})"
        used.append([Data(form), amount, str(len(nights)), usual or ""])
    limit = settings.daily_limit_mg
    over = [(r.night, r.elemental_mg) for r in records if r.elemental_mg > limit]
    over_text = ("none" if not over else f"{plural(len(over), 'night')}: "
                 + ", ".join(f"{night} ({mg:g} mg)" for night, mg in over))
    return [[
        "Name: ________________________________",
        f"Period: {data.first} to {data.last}, {plural(data.nights, 'night')}: {logged} with a sleep diary, "
        f"{missing} with nothing logged.",
        f"Report made on {made}.",
        Data(f"Medicines listed by the person: {settings.medicines.strip() or 'none listed'}"),
        f"Daily limit for supplemental magnesium: {limit:g} mg. Nights above it: {over_text}.",
        "Magnesium taken:" + ("" if used else " none in this period."),
    ], *([Table(["Form", "Elemental mg a night", "Nights", "Usual time"], used)] if used else [])]


_UNITS = {"sol_min": ("minutes", "shorter", "longer"), "tst_min": ("minutes", "shorter", "longer"),
          "se_pct": ("percentage points", "lower", "higher"), "quality": ("points (scale 1-5)", "lower", "higher")}


def _amount(metric: str, value: float) -> str:
    return f"{value:.0f}" if metric in ("sol_min", "tst_min") else f"{value:.1f}"


def clinician_headline(effect: Effect, insights: Insights) -> list[str]:
    """The diary's headline as a clinician would write it, with what it can and cannot tell."""
    metric = effect.metric
    m = METRICS_BY_KEY[metric]
    unit, less, more = _UNITS[metric]
    points = insights.points
    on = sum(1 for p in points if p.on_magnesium)
    counts = f"{plural(on, 'night')} with magnesium, {len(points) - on} without"
    cannot = ("What it cannot tell: whether magnesium caused it. The person chose the nights, so expectation and "
              "whatever led to a dose can make the difference; only a randomised trial separates them.")
    if effect.direction == "too few":
        return [f"{m.label}: too few nights to compare ({counts}); at least {MIN_NIGHTS} of each are needed."]
    if effect.direction == "cannot tell" or effect.estimate is None or effect.ci_low is None or effect.ci_high is None:
        since = next((c for c in insights.comparisons if c.metric == metric and c.kind == "before_after"), None)
        lines = [f"{m.label}: the nights with and without magnesium are too far apart in time to separate magnesium "
                 f"from other changes ({counts})."]
        if since is not None and since.enough:
            lines.append(f"Before and after the first dose: {describe(since)}. What it cannot tell: whether "
                         "magnesium or time made the difference.")
        return lines
    est, low, high = effect.estimate, effect.ci_low, effect.ci_high
    basis = f"{plural(effect.windows, 'fortnight')} compared, weekdays and weekends apart; {counts}"
    if effect.direction == "unclear":
        return [f"{m.label}: no clear difference between magnesium nights and nearby nights without "
                f"({est:+.1f} {unit}, 95% CI {low:+.1f} to {high:+.1f}; {basis}).",
                "What it can tell: any difference is probably within that interval. " + cannot]
    word = less if est < 0 else more
    lo, hi = sorted((abs(low), abs(high)))
    return [f"{m.label} was {_amount(metric, abs(est))} {unit} {word} on magnesium nights than on nearby nights "
            f"without (95% CI {_amount(metric, lo)} to {_amount(metric, hi)}; {basis}).",
            "What it can tell: how these nights differed, with the interval allowing for night-to-night chance. "
            + cannot]


def blinded(plan: TrialPlan | None) -> bool:
    """A blinded trial not yet unblinded (issue 23) shows period numbers only, never its orders."""
    return plan is not None and plan.sealed


def first_weeks_line(insights: Insights, other: str) -> str:
    progress = insights.first_weeks.progress_text().replace(" Give it a few weeks.", "")
    return f"First weeks (the {insights.first_weeks.length}-night start, not {other}): {progress}"


def answer(insights: Insights) -> list[Section]:
    """The randomised trial when there is one (its own words), else the diary's headline."""
    plan, result = insights.plan, insights.randomised
    if plan is not None and plan.sealed and insights.blinding is not None:  # A minus B, which is which sealed
        return [Section("The answer: a blinded randomised trial (sealed)",
                        [[without_commands(insights.blinding.text()), blinding_line(plan),
                          first_weeks_line(insights, "the trial")]])]
    if plan is None or result is None:
        lines: list[Line] = list(clinician_headline(insights.effect, insights))
        if insights.plan_notice:
            lines.append(Data(f"A randomised trial plan was found but changed outside magsleep, so it is not "
                              f"analysed: {without_commands(insights.plan_notice)}"))
        elif plan is not None:
            lines.append(f"A randomised trial is planned from {plan.start} (plan {plan.short_fingerprint}).")
        lines.append(first_weeks_line(insights, "a trial"))
        return [Section("The answer", [lines])]
    metric = METRICS_BY_KEY[plan.metric]
    deviations = (", ".join(str(d) for d in result.deviations) if result.deviations else "none")
    lines = [
        without_commands(result.text()),
        without_commands(result.per_protocol_text()),
        f"Plan made on {plan.created_at[:10]}, before its first night {plan.start}; last night {plan.end}"
        f"{f'; stopped early on {plan.stopped_at[:10]}' if plan.stopped_early and plan.stopped_at else ''}. "
        f"Fingerprint {plan.short_fingerprint} (SHA-256 {plan.fingerprint}).",
        f"Outcome: {metric.label.lower()}. Baseline {plural(plan.baseline_nights, 'night')}, then "
        f"{plural(plan.pairs, 'pair')} of {plan.period_nights}-night periods, one with and one without magnesium in "
        f"an order drawn at random; the first {plural(plan.washout_nights, 'night')} of each period not counted.",
        "Orders: hidden until the trial is unblinded." if blinded(plan) else
        "Orders: " + ", ".join(f"pair {i} {o}" for i, o in enumerate(plan.orders, 1)) + ".",
        f"Deviations (a dose on a night without, or none on a magnesium night): "
        f"{plural(len(result.deviations), 'night')}: {deviations}.",
        first_weeks_line(insights, "the trial"),
    ]
    if plan.blinded:  # unblinded: how the blind was run, the A-vs-B figure and the guesses
        lines[2:2] = [blinding_line(plan)] + ([without_commands(insights.blinding.text())]
                                              if insights.blinding is not None else [])

    def mean(value: float | None, n: int) -> str:
        return f"{value:.1f} ({plural(n, 'night')})" if value is not None else f"— ({plural(n, 'night')})"

    rows = [[str(p.pair), "hidden" if blinded(plan) else p.order, mean(p.on_mean, p.on_n), mean(p.off_mean, p.off_n),
             f"{p.diff:+.1f}" if p.diff is not None else "—"] for p in result.pairs]
    title = "The answer: a blinded randomised trial" if plan.blinded else "The answer: a randomised trial"
    return [Section(title, [lines, Table(["Pair", "Order", "With magnesium", "Without", "Difference"], rows)])]


# ---------------------------------------------------------------- the nights


def diary_section(data: ReportData) -> Section:
    label = trial_labels(data.insights.plan, blinded=blinded(data.insights.plan))
    nights = nights_between(data.first, data.last)
    pages = [diary_chart(data.records, nights[i], nights[min(i + NIGHTS_PER_PAGE, len(nights)) - 1], label=label)
             for i in range(0, len(nights), NIGHTS_PER_PAGE)]
    def whole() -> str:
        return pages[0] if len(pages) == 1 else diary_chart(data.records, data.first, data.last, label=label)

    return Section("Sleep diary chart", [Chart("diary", "Sleep diary chart, one row per night", pages, whole)],
                   new_page=True)


def trend_section(data: ReportData) -> Section:
    primary = OUTCOMES[data.insights.settings.primary_outcome]
    metrics = [primary] + (["se_pct"] if primary != "se_pct" else [])
    svg = week_chart(data.insights.points, metrics)
    return Section("Weekly trend", [Chart("weeks", "Weekly trend with and without magnesium", [svg], lambda: svg)])


NIGHT_HEAD = ["Night of", "In bed", "Tried to sleep", "Min to fall asleep", "Wakes", "Min awake", "Final wake",
              "Out of bed", "Total sleep", "Eff.", "Quality", "Rested", "Magnesium", "Side effects", "Note"]
NIGHT_KEY = ("Times are local clock times. Wakes: awakenings after falling asleep. Eff.: sleep "
             "efficiency. Quality and rested: 1 (worst) to 5 "
             "(best). Magnesium: elemental mg, form, time taken, minutes before trying to sleep.")


def night_row(night: date, record: NightRecord | None) -> list[str]:
    day = f"{night:%a} {night}"
    if record is None:
        return [day] + [""] * 13 + ["not logged"]
    d, m = record.diary, record.metrics
    doses = Data("; ".join(
        f"{dose.elemental_mg:g} mg {dose.form} {_hm(dose.taken_at)}"
        + (f", {minutes_between(dose.taken_at, d.tried)} min" if d is not None else "")
        for dose in record.doses))
    side = Data("; ".join(f"{s.kind} ({SEVERITY.get(s.severity, s.severity)})" for s in record.symptoms))
    diary = ([_hm(d.bed), _hm(d.tried), str(d.latency_min), str(d.awakenings), str(d.waso_min), _hm(d.final),
              _hm(d.up)] if d is not None else [""] * 7)
    numbers = ([format_minutes(m.tst_min), f"{m.se_pct:.0f}%"] if m is not None else ["", ""])
    scores = [str(d.quality), "" if d.rested is None else str(d.rested)] if d is not None else ["", ""]
    return [day, *diary, *numbers, *scores, doses, side, Data(record.note or "")]


def nights_section(data: ReportData) -> Section:
    rows = [night_row(n, data.records.get(n)) for n in nights_between(data.first, data.last)]
    return Section("Every night", [NIGHT_KEY,
                                   Table(NIGHT_HEAD, rows, wide=True)], new_page=True)


def side_effects_section(data: ReportData) -> Section:
    rows = [[f"{r.night:%a} {r.night}", Data(s.kind), f"{s.severity} ({SEVERITY.get(s.severity, '?')})",
             f"{r.elemental_mg:g} mg" if r.doses else "no dose"]
            for r in data.records.values() for s in r.symptoms]
    counts = Data(", ".join(f"{kind} {plural(n, 'time')}" for kind, n in data.insights.side_effects.items()))
    return Section("Side effects", ["Severity 1 mild, 2 moderate, 3 severe. By kind:", counts or "none logged",
                                    Table(["Date", "Side effect", "Severity", "Magnesium that night"], rows)])


# ---------------------------------------------------------------- the rest


def dose_weeks(records: Sequence[NightRecord]) -> Table:
    weeks: dict[date, list[NightRecord]] = defaultdict(list)
    for r in records:
        if r.doses:
            weeks[week_of(r.night)].append(r)
    rows = []
    for start, nights in sorted(weeks.items()):
        forms = sorted({d.form for r in nights for d in r.doses})
        usual = usual_clock([d.taken_at for r in nights for d in r.doses]) or ""
        rows.append([f"{start:%Y-%m-%d}", Data(", ".join(forms)), str(len(nights)),
                     f"{statistics.mean(r.elemental_mg for r in nights):.0f}",
                     f"{max(r.elemental_mg for r in nights):.0f}", usual])
    return Table(["Week of", "Form", "Nights dosed", "Mean mg/night", "Max mg", "Usual time"], rows)


def rest_sections(data: ReportData) -> list[Section]:
    insights = data.insights
    regular = insights.regularity
    comparisons: list[Line] = [
        ("Nights with vs without magnesium:", [describe(c) for c in insights.comparisons if c.kind == "on_off"]),
        ("Since the first dose vs before:", [describe(c) for c in insights.comparisons if c.kind == "before_after"])]
    adherence: list[Line] = [Data(f"{label}: {done} of {plural(total, 'logged night')} ({done / total:.0%})")
                             for label, (done, total) in insights.adherence.items() if total] or ["no logged nights"]
    regularity = ("fewer than 7 nights of sleep logged" if regular.sri is None or regular.midsleep_sd_min is None
                  else f"sleep midpoint SD {regular.midsleep_sd_min:.0f} min, Sleep Regularity Index {regular.sri:.0f}")
    findings: list[Line] = [for_the_reader(a) for a in insights.advice]
    return [
        Section("Comparisons (95% intervals)", [comparisons], new_page=True),
        Section("Regularity and timing", [[
            f"Last 14 nights: {regularity}.",
            "Last dose to trying to sleep: " + (", ".join(f"{band} {n}" for band, n in insights.timing_spread.items()
                                                          if n) or "no doses"),
            f"Doses 30-60 min before trying to sleep vs other times: {describe(insights.timing)}"]]),
        Section("Magnesium by week", [dose_weeks(list(data.records.values()))]),
        Section("Routine checklist", [adherence]),
        Section("Points to discuss", [findings or ["none flagged by the app"]]),
        Section("Cautions (NIH Office of Dietary Supplements and product labels)",
                [[f"{text} ({source})" for text, source in CAUTIONS]]),
        Section("About these data", [[
            "Self-tracked with magsleep, a tracker, not a medical device: the diary follows the Consensus Sleep "
            "Diary (Carney et al. 2012); total sleep = final wake - (tried to sleep + minutes to fall asleep) - "
            "minutes awake; efficiency = total sleep / time in bed.",
            "Intervals for comparisons come from a circular block bootstrap that allows for night-to-night "
            "correlation; weekly bands treat a week's nights as independent."]]),
    ]


def blinding_line(plan: TrialPlan) -> str:
    """A blinded plan in one line: bags only while sealed."""
    if plan.sealed:
        return (f"Blinded: periods in bags A and B, filled by a helper; magsleep holds only the commitment "
                f"{plan.commitment} to which bag is magnesium (sealed).")
    early = " early" if plan.unblinded_early else ""
    return (f"Blinded: periods in bags A and B; unblinded{early} on {str(plan.unblinded_at)[:10]} with the "
            f"helper's sheet (it matched the commitment {plan.commitment}): bag {plan.magnesium_bag} held magnesium.")


def sections(data: ReportData, made: date) -> list[Section]:
    """The report's sections in order; the first page is the header, the note and the answer."""
    return [
        Section("", [*header(data, made), FOR_THE_PERSON]),
        *answer(data.insights),
        diary_section(data),
        trend_section(data),
        nights_section(data),
        side_effects_section(data),
        *rest_sections(data),
    ]


# ---------------------------------------------------------------- entry points


def build_report(fmt: str, last: date, *, session: Session, start: date | None = None, end: date | None = None,
                 made: date | None = None, charts: dict[str, str] | None = None) -> str:
    """The report for nights `start`..`end` (default: all nights up to `last`), made on `made`."""
    return _render(fmt, load_report_data(last, session=session, start=start, end=end), made, charts)[0]


def _render(fmt: str, data: ReportData, made: date | None,
            charts: dict[str, str] | None) -> tuple[str, list[Chart]]:
    parts = sections(data, made or local_time.now().date())
    found = [b for s in parts for b in s.blocks if isinstance(b, Chart)]
    return (to_html(TITLE, parts) if fmt == "html" else to_markdown(TITLE, parts, charts)), found


def write_report(path: Path, fmt: str, last: date, *, session: Session, start: date | None = None,
                 end: date | None = None, made: date | None = None) -> Path:
    """Write the report 0600, complete or not at all (it is health data); a Markdown report gets
    its charts as SVG files beside it (`<name>-diary.svg`, `<name>-weeks.svg`), linked."""
    path = Path(path)
    data = load_report_data(last, session=session, start=start, end=end)
    if fmt != "html":
        names = {name: f"{path.stem}-{name}.svg" for name in ("diary", "weeks")}
        text, charts = _render(fmt, data, made, names)
        written: list[Path] = []
        try:
            for chart in charts:
                written.append(write_private(path.with_name(names[chart.name]),
                                             '<?xml version="1.0" encoding="UTF-8"?>\n' + chart.whole()))
            return write_private(path, text)
        except StoreError:
            for svg in written:  # the report is written with its charts or not at all
                svg.unlink(missing_ok=True)
            raise
    return write_private(path, _render(fmt, data, made, None)[0])
