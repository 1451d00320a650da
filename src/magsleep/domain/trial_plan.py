"""The randomised N-of-1 trial's plan: made and fixed before its nights, checked, and its schedule.

The design and its sources are in `n_of_1` (which analyses a plan). This module holds only what
reading a plan needs, so the dashboard's first frame and `magsleep status` check a stored plan
and say where tonight stands without loading the trial maths.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from magsleep.domain.errors import InvalidInput
from magsleep.domain.parsing import EARLIEST_DATE
from magsleep.domain.text_safety import visible
from magsleep.domain.trend import OUTCOMES

DEFAULTS: dict[str, Any] = {"baseline": 14, "period": 14, "pairs": 4, "washout": 7, "outcome": "sol"}
MIN_COUNTED = 4
"""A period counts only with at least this many counted nights with a diary."""
ORDERS = ("on-off", "off-on")
MAX_AHEAD_NIGHTS = 365
"""A plan's first night is at most this many nights after the day it was made (and so, for a
plan made now, at most a year ahead): every date of a plan stays far from the calendar's end."""


@dataclass(frozen=True)
class ScheduledNight:
    """One night of the plan: its phase, pair (None in the baseline) and whether it counts."""

    night: date
    phase: str  # "baseline" | "on" | "off"
    pair: int | None  # 1-based
    period_night: int  # 1-based night within its period (or the baseline)
    counts: bool

    def as_dict(self) -> dict[str, Any]:
        return {"night": self.night.isoformat(), "phase": self.phase, "pair": self.pair, "counts": self.counts}


@dataclass(frozen=True)
class TrialPlan:
    """A randomised plan, immutable once made; a new plan is a new trial."""

    start: date
    baseline_nights: int
    period_nights: int
    pairs: int
    washout_nights: int
    outcome: str  # a key of OUTCOMES
    orders: tuple[str, ...]  # ORDERS, one per pair, drawn when the plan was made
    created_at: str  # ISO moment
    stopped_at: str | None = None

    @property
    def metric(self) -> str:
        return OUTCOMES[self.outcome]

    def canonical(self) -> dict[str, Any]:
        """What the fingerprint covers: everything fixed before the data (not the stop)."""
        data = asdict(self)
        data.pop("stopped_at")
        data["start"] = self.start.isoformat()
        data["orders"] = list(self.orders)
        return data

    @property
    def fingerprint(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:12]

    @property
    def stopped_early(self) -> bool:
        """Stopped before its last night was over (a plan closed after its end ran its course)."""
        return self.stopped_at is not None and datetime.fromisoformat(self.stopped_at).date() <= self.end

    @property
    def end(self) -> date:
        """The plan's last night."""
        return self.start + timedelta(days=self.baseline_nights + 2 * self.pairs * self.period_nights - 1)

    def schedule(self) -> list[ScheduledNight]:
        nights = [ScheduledNight(self.start + timedelta(days=i), "baseline", None, i + 1, False)
                  for i in range(self.baseline_nights)]
        day = self.start + timedelta(days=self.baseline_nights)
        for pair, order in enumerate(self.orders, 1):
            for phase in order.split("-"):
                for i in range(self.period_nights):
                    nights.append(ScheduledNight(day, phase, pair, i + 1, i >= self.washout_nights))
                    day += timedelta(days=1)
        return nights

    def night(self, night: date) -> ScheduledNight | None:
        """The plan's entry for `night`, or None outside the plan."""
        offset = (night - self.start).days
        if offset < 0 or night > self.end:
            return None
        if offset < self.baseline_nights:
            return ScheduledNight(night, "baseline", None, offset + 1, False)
        offset -= self.baseline_nights
        pair, within = divmod(offset, 2 * self.period_nights)
        second, period_night = divmod(within, self.period_nights)
        phase = self.orders[pair].split("-")[second]
        return ScheduledNight(night, phase, pair + 1, period_night + 1, period_night >= self.washout_nights)

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "baseline_nights": self.baseline_nights,
                "period_nights": self.period_nights, "pairs": self.pairs,
                "washout_nights": self.washout_nights, "outcome": self.outcome,
                "orders": list(self.orders), "fingerprint": self.fingerprint,
                "created_at": self.created_at, "stopped_at": self.stopped_at}


MIN_NEW_PAIRS = 3
"""The fewest pairs a new plan may have (the t interval needs 2 degrees of freedom to make a call)."""


def make_plan(start: date, created_at: str, *, baseline: int = DEFAULTS["baseline"],
              period: int = DEFAULTS["period"], pairs: int = DEFAULTS["pairs"],
              washout: int = DEFAULTS["washout"], outcome: str = DEFAULTS["outcome"],
              draw: Callable[[tuple[str, ...]], str] = secrets.choice) -> TrialPlan:
    """A new plan, checked in full; each pair's order is drawn with `draw` (secrets.choice) now,
    never again."""
    check_plan_numbers(baseline, period, pairs, washout, outcome)
    plan = TrialPlan(start, baseline, period, pairs, washout, outcome,
                     tuple(draw(ORDERS) for _ in range(pairs)), created_at)
    try:
        check_plan(plan)
    except InvalidInput as err:
        raise InvalidInput("--start" if err.field == "start" else err.field, err.message) from None
    return plan


def _moment(value: object, field: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidInput(field, "must be an ISO date-time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{visible(value[:30])!r} is not an ISO date-time") from None
    if moment.date() < EARLIEST_DATE:
        raise InvalidInput(field, f"{moment.date()} is too early; dates start at {EARLIEST_DATE}")
    return moment


def check_plan(plan: TrialPlan, *, latest_made: date | None = None) -> None:
    """Every part of a plan, whether just made, read back or imported: its numbers, its orders, its
    moments, and its dates (the first night within MAX_AHEAD_NIGHTS of the day it was made, so no
    date of it runs off the calendar); `latest_made`: the last day it may have been made (today).
    Raises InvalidInput naming the part ("start", "orders", "created_at", "stopped_at", "--pairs"...)."""
    check_plan_numbers(plan.baseline_nights, plan.period_nights, plan.pairs, plan.washout_nights, plan.outcome)
    if len(plan.orders) != plan.pairs or any(o not in ORDERS for o in plan.orders):
        raise InvalidInput("orders", "must hold one 'on-off' or 'off-on' per pair")
    made = _moment(plan.created_at, "created_at").date()
    if latest_made is not None and made > latest_made + timedelta(days=1):  # a day's slack for time zones
        raise InvalidInput("created_at", f"{made} is in the future")
    if plan.stopped_at is not None:
        _moment(plan.stopped_at, "stopped_at")
    if not isinstance(plan.start, date) or plan.start < EARLIEST_DATE:
        raise InvalidInput("start", f"dates start at {EARLIEST_DATE}")
    if plan.start > made + timedelta(days=MAX_AHEAD_NIGHTS):
        raise InvalidInput("start", f"{plan.start} is more than a year after the plan was made ({made}); "
                                    f"a plan starts within {MAX_AHEAD_NIGHTS} nights")
    try:
        plan.end  # noqa: B018 (a date made far in the future runs off the calendar here)
    except OverflowError:
        raise InvalidInput("created_at", f"{made} is too late") from None


def check_plan_numbers(baseline: int, period: int, pairs: int, washout: int, outcome: str) -> None:
    if not 0 <= baseline <= 90:
        raise InvalidInput("--baseline", "must be 0 to 90 nights")
    if not 4 <= period <= 60:
        raise InvalidInput("--period", "must be 4 to 60 nights")
    if not 2 <= pairs <= 12:  # what a stored plan may hold; a new one needs 3 (make_plan)
        raise InvalidInput("--pairs", "must be 3 to 12")
    if not 0 <= washout <= period - MIN_COUNTED:
        raise InvalidInput("--washout", f"must be 0 to {period - MIN_COUNTED} nights (a period needs "
                                        f"{MIN_COUNTED} counted nights)")
    if outcome not in OUTCOMES:
        raise InvalidInput("--outcome", f"must be one of {', '.join(OUTCOMES)}")


def tonight_text(plan: TrialPlan, night: date) -> str:
    """Where the person stands tonight, in one line."""
    s = plan.night(night)
    if s is None:
        if night < plan.start:
            return f"Trial starts on {plan.start:%a %d %b}."
        return "Trial finished: see Insights for the result."
    if s.phase == "baseline":
        return f"Trial · baseline night {s.period_night} of {plan.baseline_nights}: as usual, no magnesium."
    counts = "counts" if s.counts else "washout"
    if s.phase == "on":
        return (f"Trial · pair {s.pair} of {plan.pairs} · magnesium period, night {s.period_night} of "
                f"{plan.period_nights} ({counts})")
    return (f"Trial · pair {s.pair} of {plan.pairs} · no-magnesium period: skip magnesium tonight · "
            f"night {s.period_night} of {plan.period_nights} ({counts})")
