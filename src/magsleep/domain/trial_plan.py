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
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from magsleep.domain.errors import InvalidInput
from magsleep.domain.parsing import EARLIEST_DATE, iso_moment
from magsleep.domain.trend import OUTCOMES

DEFAULTS: dict[str, Any] = {"baseline": 14, "period": 14, "pairs": 4, "washout": 7, "outcome": "sol"}
MIN_COUNTED = 4
"""A period counts only with at least this many counted nights with a diary."""
ORDERS = ("on-off", "off-on")
BLIND_ORDERS = ("A-B", "B-A")
"""A blinded plan's orders, in bags: which bag holds magnesium is sealed (`domain.blinding`)."""
BAGS = ("A", "B")
MAX_AHEAD_NIGHTS = 365
"""A plan's first night is at most this many nights after the day it was made (and so, for a
plan made now, at most a year ahead): every date of a plan stays far from the calendar's end."""


@dataclass(frozen=True)
class ScheduledNight:
    """One night of the plan: its phase, pair (None in the baseline) and whether it counts."""

    night: date
    phase: str  # "baseline" | "on" | "off"; a sealed blinded plan: "baseline" | "A" | "B"
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
    blinded: bool = False
    """Orders in bags (BLIND_ORDERS); which bag holds magnesium is known only to the helper's sheet."""
    commitment: str | None = None
    """A blinded plan's SHA-256(salt || mapping) (`commitment`), fixed with the plan."""
    magnesium_bag: str | None = None
    """Set when unblinded: the bag that held magnesium (checked against the commitment)."""
    salt: str | None = None
    """Set when unblinded: the sheet's salt, hex (so every read checks the commitment again)."""
    unblinded_at: str | None = None

    @property
    def metric(self) -> str:
        return OUTCOMES[self.outcome]

    @property
    def sealed(self) -> bool:
        """A blinded plan not yet unblinded: its periods are bags "A"/"B", never on/off."""
        return self.blinded and self.magnesium_bag is None

    @property
    def unblinded_early(self) -> bool:
        """Unblinded before its last night was over."""
        return self.unblinded_at is not None and datetime.fromisoformat(self.unblinded_at).date() <= self.end

    def phase_of(self, bag_or_phase: str) -> str:
        """A period's phase as the plan reads today: a bag of an unblinded plan is "on"/"off"."""
        if self.magnesium_bag is None or bag_or_phase not in BAGS:
            return bag_or_phase
        return "on" if bag_or_phase == self.magnesium_bag else "off"

    def canonical(self) -> dict[str, Any]:
        """What the fingerprint covers: everything fixed before the data (not the stop, not the
        unblinding, which the commitment checks). An open plan's dict is as it always was."""
        data = asdict(self)
        for later in ("stopped_at", "magnesium_bag", "salt", "unblinded_at"):
            data.pop(later)
        if not self.blinded:
            data.pop("blinded")
            data.pop("commitment")
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
    def weeks(self) -> int:
        """How many weeks the plan runs, a part week counted whole."""
        return -(-((self.end - self.start).days + 1) // 7)

    @property
    def end(self) -> date:
        """The plan's last night."""
        return self.start + timedelta(days=self.baseline_nights + 2 * self.pairs * self.period_nights - 1)

    def schedule(self) -> tuple[ScheduledNight, ...]:
        """Every night of the plan, in order. Equal plans share one tuple: a look at the trial
        reads it three times, and the simulations behind its claims look thousands of times."""
        return _schedule(self)

    def planned(self, night: date) -> tuple[int | None, str, int] | None:
        """Where `night` falls as planned: its pair (None in the baseline), the order's word for
        its period as written ("on"/"off", or a bag "A"/"B" even once unblinded) and its 0-based
        night within the period or baseline; None outside the plan."""
        offset = (night - self.start).days
        if offset < 0 or night > self.end:
            return None
        if offset < self.baseline_nights:
            return None, "baseline", offset
        offset -= self.baseline_nights
        pair, within = divmod(offset, 2 * self.period_nights)
        second, period_night = divmod(within, self.period_nights)
        return pair + 1, self.orders[pair].split("-")[second], period_night

    def night(self, night: date) -> ScheduledNight | None:
        """The plan's entry for `night`, or None outside the plan."""
        where = self.planned(night)
        if where is None:
            return None
        pair, word, index = where
        if pair is None:
            return ScheduledNight(night, "baseline", None, index + 1, False)
        return ScheduledNight(night, self.phase_of(word), pair, index + 1, index >= self.washout_nights)

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "baseline_nights": self.baseline_nights,
                "period_nights": self.period_nights, "pairs": self.pairs,
                "washout_nights": self.washout_nights, "outcome": self.outcome,
                "orders": list(self.orders), "fingerprint": self.fingerprint,
                "created_at": self.created_at, "stopped_at": self.stopped_at,
                "blinded": self.blinded, "commitment": self.commitment, "unblinded_at": self.unblinded_at}


MIN_NEW_PAIRS = 3
"""The fewest pairs a new plan may have (the t interval needs 2 degrees of freedom to make a call)."""


def make_plan(start: date, created_at: str, *, baseline: int = DEFAULTS["baseline"],
              period: int = DEFAULTS["period"], pairs: int = DEFAULTS["pairs"],
              washout: int = DEFAULTS["washout"], outcome: str = DEFAULTS["outcome"],
              draw: Callable[[tuple[str, ...]], str] = secrets.choice,
              commitment: str | None = None) -> TrialPlan:
    """A new plan, checked in full; each pair's order is drawn with `draw` (secrets.choice) now,
    never again. With a `commitment` the plan is blinded: orders in bags (BLIND_ORDERS)."""
    check_plan_numbers(baseline, period, pairs, washout, outcome)
    blinded = commitment is not None
    plan = TrialPlan(start, baseline, period, pairs, washout, outcome,
                     tuple(draw(BLIND_ORDERS if blinded else ORDERS) for _ in range(pairs)), created_at,
                     blinded=blinded, commitment=commitment)
    try:
        check_plan(plan)
    except InvalidInput as err:
        raise InvalidInput("--start" if err.field == "start" else err.field, err.message) from None
    return plan


MAX_PAIRS = 12


def extend_plan(plan: TrialPlan, more: int, tonight: date,
                draw: Callable[[tuple[str, ...]], str] = secrets.choice) -> TrialPlan:
    """The plan with `more` pairs added at its end, their orders drawn now. Only before the planned
    end (a call once made is never reopened) and only for a plan still running; the first pairs
    keep their orders, so the plan before stays provable (`earlier_fingerprint`)."""
    if plan.stopped_at is not None:
        raise InvalidInput("trial", "the trial was stopped; a stopped trial is not extended")
    if plan.blinded:
        raise InvalidInput("trial", "a blinded trial is not extended: its sheet holds the bags of every period")
    if tonight > plan.end:
        raise InvalidInput("trial", f"the trial ended with the night of {plan.end}; a trial is extended only "
                                    "before its planned end")
    if plan.pairs >= MAX_PAIRS:
        raise InvalidInput("--pairs", f"the plan already holds {MAX_PAIRS} pairs, the most a plan holds")
    if not 1 <= more <= MAX_PAIRS - plan.pairs:
        raise InvalidInput("--pairs", f"must be 1 to {MAX_PAIRS - plan.pairs} (a plan holds at most {MAX_PAIRS} pairs)")
    longer = replace(plan, pairs=plan.pairs + more, orders=plan.orders + tuple(draw(ORDERS) for _ in range(more)))
    check_plan(longer)
    return longer


def earlier_fingerprint(plan: TrialPlan, pairs: int) -> str:
    """The fingerprint the plan had with only its first `pairs` pairs: an extension's record is
    checked against it (the orders of the first pairs never change)."""
    return replace(plan, pairs=pairs, orders=plan.orders[:pairs]).fingerprint


def _moment(value: object, field: str) -> datetime:
    moment = iso_moment(value, field)
    if moment.date() < EARLIEST_DATE:
        raise InvalidInput(field, f"{moment.date()} is too early; dates start at {EARLIEST_DATE}")
    return moment


def check_plan(plan: TrialPlan, *, latest_made: date | None = None) -> None:
    """Every part of a plan, whether just made, read back or imported: its numbers, its orders, its
    moments, and its dates (the first night within MAX_AHEAD_NIGHTS of the day it was made, so no
    date of it runs off the calendar); `latest_made`: the last day it may have been made (today).
    Raises InvalidInput naming the part ("start", "orders", "created_at", "stopped_at", "--pairs"...)."""
    check_plan_numbers(plan.baseline_nights, plan.period_nights, plan.pairs, plan.washout_nights, plan.outcome)
    allowed = BLIND_ORDERS if plan.blinded else ORDERS
    if len(plan.orders) != plan.pairs or any(o not in allowed for o in plan.orders):
        raise InvalidInput("orders", f"must hold one {' or '.join(repr(o) for o in allowed)} per pair")
    check_blinding(plan)
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


def commitment(salt: bytes, magnesium_bag: str) -> str:
    """SHA-256(salt || mapping) in hex: binds the plan to the helper's sheet without revealing it."""
    return hashlib.sha256(salt + mapping_text(magnesium_bag).encode()).hexdigest()


def mapping_text(magnesium_bag: str) -> str:
    """The canonical mapping the commitment covers."""
    return f"magsleep-blind-v1:magnesium={magnesium_bag}"


def check_blinding(plan: TrialPlan) -> None:
    """A blinded plan's commitment, and its unblinding (all or nothing) checked against it."""
    if plan.blinded is not True and plan.blinded is not False:
        raise InvalidInput("blinded", "must be true or false")
    later = (plan.magnesium_bag, plan.salt, plan.unblinded_at)
    if not plan.blinded:
        if plan.commitment is not None or any(v is not None for v in later):
            raise InvalidInput("blinded", "an open plan has no commitment or unblinding")
        return
    c = plan.commitment
    if not isinstance(c, str) or len(c) != 64 or any(ch not in "0123456789abcdef" for ch in c):
        raise InvalidInput("commitment", "must be 64 hex digits")
    if all(v is None for v in later):
        return
    if plan.magnesium_bag not in BAGS or not isinstance(plan.salt, str) or plan.unblinded_at is None:
        raise InvalidInput("unblinding", "is incomplete")
    _moment(plan.unblinded_at, "unblinded_at")
    try:
        salt = bytes.fromhex(plan.salt)
    except ValueError:
        raise InvalidInput("salt", "is not hex") from None
    if commitment(salt, plan.magnesium_bag) != c:
        raise InvalidInput("unblinding", "does not match the plan's commitment")


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


DEVIATION = "A dose on a no-magnesium night of the trial: saved, and marked as a deviation from the plan."
TRIAL_ON_LABEL = "Magnesium tonight (trial)"
TRIAL_OFF_LABEL = "No magnesium tonight (trial)"


def trial_item_label(phase: str | None) -> str | None:
    """What the "Take magnesium" item reads on a night of this trial phase (None: outside a trial,
    where it keeps its own label). On a no-magnesium night it is ticked for keeping to the plan."""
    if phase is None:
        return None
    if phase in BAGS:  # a sealed blinded night: the bag, never on/off
        return f"Bag {phase} tonight (trial)"
    return TRIAL_ON_LABEL if phase == "on" else TRIAL_OFF_LABEL


def tonight_text(plan: TrialPlan, night: date) -> str:
    """Where the person stands tonight, in one line of plain words: what to do tonight first."""
    s = plan.night(night)
    if s is None:
        if night < plan.start:
            return f"Trial starts on {plan.start:%a %d %b}: until then, as you like."
        return "Trial finished: see Insights for the result."
    if s.phase == "baseline":
        return (f"Trial · baseline night {s.period_night} of {plan.baseline_nights}: no magnesium tonight. "
                "These nights measure your usual sleep before the first period.")
    if s.phase in BAGS:
        text = (f"Trial · pair {s.pair} of {plan.pairs} · bag {s.phase} period (blinded), night {s.period_night} "
                f"of {plan.period_nights}: take your dose from bag {s.phase} tonight.")
    else:
        on = s.phase == "on"
        text = (f"Trial · pair {s.pair} of {plan.pairs} · {'magnesium' if on else 'no-magnesium'} period, night "
                f"{s.period_night} of {plan.period_nights}: "
                f"{'take your usual dose tonight' if on else 'no magnesium tonight'}.")
    if not s.counts:  # the settling-in nights, said so they do not read as "stop taking it"
        text = text[:-1] + " (settling in as the last period's effect fades: not counted)."
    return text


@lru_cache(maxsize=64)
def _schedule(plan: TrialPlan) -> tuple[ScheduledNight, ...]:
    nights = [ScheduledNight(plan.start + timedelta(days=i), "baseline", None, i + 1, False)
              for i in range(plan.baseline_nights)]
    day = plan.start + timedelta(days=plan.baseline_nights)
    for pair, order in enumerate(plan.orders, 1):
        for phase in order.split("-"):
            shown = plan.phase_of(phase)
            for i in range(plan.period_nights):
                nights.append(ScheduledNight(day, shown, pair, i + 1, i >= plan.washout_nights))
                day += timedelta(days=1)
    return tuple(nights)
