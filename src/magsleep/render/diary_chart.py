"""The sleep-diary chart clinicians read: one row per night on an evening-to-noon axis.

Each row is a night from 18:00 to 12:00 the next day: a light bar from into bed to out of bed, a
dark bar from falling asleep (tried to sleep + minutes to fall asleep) to the final wake, a mark
at each dose with its mg. Rows are labelled with the date, Friday and Saturday nights shaded
(weekends, as the headline compares them apart), a night of a randomised trial labelled by the
`label` function (on / off / baseline, or "period 3" while a trial is blinded), and a night with
nothing logged is an empty row, never skipped. Black, white and greys only: it prints in grey.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta

from magsleep.domain.headline import is_weekend
from magsleep.domain.trial_plan import BAGS, TrialPlan
from magsleep.render.svg import Svg
from magsleep.store.records import NightRecord

AXIS_START = time(18, 0)
AXIS_MINUTES = 18 * 60  # 18:00 to 12:00 the next day
PX_PER_MIN = 0.5
LEFT = 96  # the date labels
RIGHT = 64  # the trial phase labels
TOP = 30  # the hour axis
ROW = 15
LEGEND = 34
WIDTH = LEFT + AXIS_MINUTES * PX_PER_MIN + RIGHT
NIGHTS_PER_PAGE = 42
"""Six weeks a printed page: between the 2 weeks and 2 months a page the issue allows, and a
row tall enough for the dose marks' mg."""

Label = Callable[[date], str | None]


def no_label(night: date) -> str | None:
    return None


def axis_minutes(night: date, moment: datetime) -> float:
    """Minutes from 18:00 on the night's evening to `moment`, on its own wall clock (a night across
    a daylight-saving change is drawn as the clock read), kept on the axis."""
    start = datetime.combine(night, AXIS_START)
    minutes = (moment.replace(tzinfo=None) - start).total_seconds() / 60
    return min(max(minutes, 0.0), float(AXIS_MINUTES))


def x_of(minutes: float) -> float:
    return LEFT + minutes * PX_PER_MIN


def trial_labels(plan: TrialPlan | None, *, blinded: bool = False) -> Label:
    """Each night's phase in the plan ("baseline", "on", "off"), or while `blinded` only the
    period's number ("baseline", "period 3"): the one place the chart's labels come from."""
    if plan is None:
        return no_label

    def label(night: date) -> str | None:
        entry = plan.night(night)
        if entry is None:
            return None
        if entry.phase == "baseline" or not blinded:
            return entry.phase
        assert entry.pair is not None  # every night after the baseline belongs to a pair
        second = plan.orders[entry.pair - 1].split("-").index(entry.phase)
        period = f"period {2 * (entry.pair - 1) + second + 1}"
        return f"{period} · bag {entry.phase}" if entry.phase in BAGS else period

    return label


def nights_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def diary_chart(records: Mapping[date, NightRecord], first: date, last: date, *, label: Label = no_label,
                title: str = "Sleep diary") -> str:
    """The chart for every night from `first` to `last` (a row each, logged or not), as SVG."""
    nights = nights_between(first, last)
    height = TOP + ROW * len(nights) + LEGEND
    svg = Svg(WIDTH, height, f"{title}, {first} to {last}")
    plot_right = x_of(AXIS_MINUTES)
    for hour in range(0, AXIS_MINUTES // 60 + 1, 2):
        x = x_of(hour * 60)
        svg.add("line", x1=x, y1=TOP - 4, x2=x, y2=TOP + ROW * len(nights), stroke="#bbb", stroke_width=0.5)
        svg.add("text", f"{(18 + hour) % 24:02d}:00", x=x, y=TOP - 8, font_size=9, text_anchor="middle")
    if any(label(night) for night in nights):
        svg.add("text", "trial", x=plot_right + 6, y=TOP - 8, font_size=9)
    for row, night in enumerate(nights):
        y = TOP + row * ROW
        record = records.get(night)
        weekend = is_weekend(night)
        classes = "night" + (" weekend" if weekend else "") + ("" if logged_night(record) else " missing")
        svg.open("g", class_=classes, data_night=night.isoformat())
        if weekend:
            svg.add("rect", class_="weekend-band", x=0, y=y, width=plot_right, height=ROW, fill="#e6e6e6")
        svg.add("text", f"{night:%a %d %b %Y}", x=4, y=y + ROW - 4, font_size=9,
                font_weight="bold" if weekend else None)
        if record is not None and record.diary is not None:
            d = record.diary
            bed, up = axis_minutes(night, d.bed), axis_minutes(night, d.up)
            onset = axis_minutes(night, d.tried + timedelta(minutes=d.latency_min))
            final = axis_minutes(night, d.final)
            svg.add("rect", class_="in-bed", x=x_of(bed), y=y + 3, width=max(up - bed, 0) * PX_PER_MIN,
                    height=ROW - 6, fill="#d0d0d0", stroke="#555", stroke_width=0.6)
            svg.add("rect", class_="asleep", x=x_of(onset), y=y + 5, width=max(final - onset, 0) * PX_PER_MIN,
                    height=ROW - 10, fill="#1a1a1a")
        for dose in record.doses if record is not None else ():
            x = x_of(axis_minutes(night, dose.taken_at))
            svg.open("g", class_="dose", data_mg=f"{dose.elemental_mg:g}", data_time=f"{dose.taken_at:%H:%M}")
            svg.add("path", d=f"M{x - 3:.1f},{y + 1} L{x + 3:.1f},{y + 1} L{x:.1f},{y + 6} Z", fill="#000")
            # Doses come before bed: the mg goes to the mark's left, in the evening's empty space.
            left = x - x_of(0) > 40
            svg.add("text", f"{dose.elemental_mg:g} mg", x=x - 4 if left else x + 4, y=y + 7, font_size=7,
                    text_anchor="end" if left else None)
            svg.close("g")
        if not logged_night(record):
            svg.add("text", "not logged", x=x_of(0) + 4, y=y + ROW - 4, font_size=8, fill="#666")
        phase = label(night)
        if phase:
            svg.add("text", phase, class_="phase", x=plot_right + 6, y=y + ROW - 4, font_size=9)
        svg.close("g")
        svg.add("line", x1=0, y1=y + ROW, x2=plot_right, y2=y + ROW, stroke="#ddd", stroke_width=0.5)
    _legend(svg, TOP + ROW * len(nights) + 8)
    return str(svg)


def logged_night(record: NightRecord | None) -> bool:
    """A night with a diary or a dose (an empty row in the chart otherwise)."""
    return record is not None and (record.diary is not None or bool(record.doses))


def _legend(svg: Svg, y: float) -> None:
    svg.add("rect", x=LEFT, y=y, width=24, height=9, fill="#d0d0d0", stroke="#555", stroke_width=0.6)
    svg.add("text", "in bed to out of bed", x=LEFT + 28, y=y + 8, font_size=9)
    svg.add("rect", x=LEFT + 140, y=y + 2, width=24, height=5, fill="#1a1a1a")
    svg.add("text", "asleep to final wake", x=LEFT + 168, y=y + 8, font_size=9)
    svg.add("path", d=f"M{LEFT + 286},{y} L{LEFT + 292},{y} L{LEFT + 289},{y + 5} Z", fill="#000")
    svg.add("text", "magnesium dose (mg)", x=LEFT + 296, y=y + 8, font_size=9)
    svg.add("rect", x=LEFT + 410, y=y, width=16, height=9, fill="#e6e6e6")
    svg.add("text", "Fri and Sat nights", x=LEFT + 430, y=y + 8, font_size=9)
    svg.add("text", "Times are the evening (18:00) to noon the next day; minutes awake in the night are in the "
            "table.", x=LEFT, y=y + 22, font_size=8, fill="#444")
