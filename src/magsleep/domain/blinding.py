"""The blinded trial (issue 23): bags "A" and "B", a helper's sheet, a commitment, the unblinding.

What a person expects moves a self-reported outcome such as time to fall asleep; a trial in which
they know each night whether they took magnesium measures magnesium and that expectation. People
blind themselves with a helper who fills identical capsules or envelopes "A" and "B" and keeps the
key (design.md, "Blinding"). magsleep draws the plan in bags, draws which bag holds magnesium,
writes that mapping and a random salt only to the helper's sheet, and keeps just
SHA-256(salt || mapping) (`trial_plan.commitment`) with the plan. At the end the sheet (or its
unblinding code) is checked against the commitment: a wrong, edited or swapped sheet is refused.
A nightly guess ("which bag was it?") checks the blind: near 50% right means it held (magnesium's
laxative effect can break it). Pure: no I/O, no clock.
"""

from __future__ import annotations

import base64
import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from magsleep.domain.errors import InvalidInput
from magsleep.domain.n_of_1 import NightData, TrialResult, analyse
from magsleep.domain.trend import DIFF_UNITS, METRICS_BY_KEY
from magsleep.domain.trial_plan import BAGS, TrialPlan, commitment, trial_item_label

SALT_BYTES = 16
_CHECK = b"magsleep-unblinding-code"
SEALED = "Which bag is which is sealed until you unblind ('magsleep trial unblind SHEET')."


@dataclass(frozen=True)
class Blind:
    """The secret half of a blinded plan: it lives only in the helper's sheet until unblinding."""

    salt: bytes
    magnesium_bag: str  # "A" | "B"

    @property
    def commitment(self) -> str:
        return commitment(self.salt, self.magnesium_bag)

    @property
    def code(self) -> str:
        """The unblinding code: base32 of salt and bag with a 3-byte check, in groups of 5."""
        payload = self.salt + self.magnesium_bag.encode()
        raw = base64.b32encode(payload + hashlib.sha256(_CHECK + payload).digest()[:3]).decode().rstrip("=")
        return "-".join(raw[i:i + 5] for i in range(0, len(raw), 5))


def draw_blind() -> Blind:
    """A new salt and which bag holds magnesium, both from `secrets`."""
    return Blind(secrets.token_bytes(SALT_BYTES), secrets.choice(BAGS))


def read_code(code: str) -> Blind:
    """The Blind an unblinding code holds; InvalidInput("--code") for a mistyped or foreign one."""
    raw = "".join(ch for ch in code.upper() if ch not in "- \t\r\n")
    try:
        data = base64.b32decode(raw + "=" * (-len(raw) % 8))
    except ValueError:
        raise InvalidInput("--code", "is not an unblinding code (letters A-Z and digits 2-7)") from None
    payload, check = data[:-3], data[-3:]
    if (len(payload) != SALT_BYTES + 1 or payload[-1:] not in (b"A", b"B")
            or hashlib.sha256(_CHECK + payload).digest()[:3] != check):
        raise InvalidInput("--code", "is not a valid unblinding code (mistyped?)")
    return Blind(payload[:SALT_BYTES], payload[-1:].decode())


def sheet_text(plan: TrialPlan, blind: Blind) -> str:
    """The helper's sheet, printable: which bag holds what, how many doses, the calendar, the code."""
    other = "B" if blind.magnesium_bag == "A" else "A"
    doses = plan.pairs * plan.period_nights
    lines = [
        "magsleep blinded trial: the helper's sheet",
        "Keep this sheet away from the person taking part until the trial ends.",
        "",
        f"Plan {plan.fingerprint} (made {plan.created_at}); commitment {plan.commitment}.",
        f"Bag {blind.magnesium_bag} holds magnesium (the dose the person and their healthcare professional chose).",
        f"Bag {other} holds an identical-looking dose with no magnesium (e.g. the same capsule, empty "
        "or filled with microcrystalline cellulose).",
        f"Fill {doses} doses of each (and a few spares), identical in look, weight and taste; mark them "
        "only \"A\" or \"B\".",
        "",
        "Calendar:",
    ]
    for s in plan.schedule():
        if s.period_night == 1:
            what = "baseline: no bag, no magnesium" if s.pair is None else f"pair {s.pair}: bag {s.phase}"
            lines.append(f"  from {s.night}  {what}")
    lines += [f"  last night {plan.end}", "",
              f"Unblinding code: {blind.code}",
              "At the end: magsleep trial unblind THIS-FILE (or --code followed by the code)."]
    return "\n".join(lines) + "\n"


def read_sheet(text: str, plan: TrialPlan) -> Blind:
    """The Blind of `plan`'s sheet: its code must check out, the sheet must be exactly the one made
    with the plan (an edited line is refused) and match the commitment (a swapped sheet is refused)."""
    codes = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Unblinding code:")]
    if len(codes) != 1:
        raise InvalidInput("sheet", "has no unblinding code line: it is not a magsleep helper's sheet")
    try:
        blind = read_code(codes[0])
    except InvalidInput:
        raise InvalidInput("sheet", "has an unblinding code that does not check out (edited?)") from None
    verify(plan, blind, "sheet")
    if _lines(text) != _lines(sheet_text(plan, blind)):
        raise InvalidInput("sheet", "was edited: it differs from the sheet made with this plan")
    return blind


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n")]


def verify(plan: TrialPlan, blind: Blind, field: str) -> None:
    """Refuse a sheet or code that is not this plan's (SHA-256 against the stored commitment)."""
    if not plan.blinded:
        raise InvalidInput("trial", f"the plan {plan.short_fingerprint} is not blinded")
    if blind.commitment != plan.commitment:
        raise InvalidInput(field, f"does not match the commitment of plan {plan.short_fingerprint} "
                                  "(another trial's sheet, or edited)")


def unblind(plan: TrialPlan, blind: Blind, at: str) -> TrialPlan:
    """The plan unblinded at `at`: its bags become on/off from now on."""
    verify(plan, blind, "sheet")
    if not plan.sealed:
        raise InvalidInput("trial", f"the plan {plan.short_fingerprint} was already unblinded on {plan.unblinded_at}")
    return replace(plan, magnesium_bag=blind.magnesium_bag, salt=blind.salt.hex(), unblinded_at=at)


def bag_of(plan: TrialPlan, night: date) -> str | None:
    """The bag of `night` in a blinded plan ("A"/"B"); None in the baseline, outside it or unblinded."""
    where = plan.planned(night) if plan.blinded else None
    return None if where is None or where[0] is None else where[1]


def night_label(plan: TrialPlan | None, night: date) -> str | None:
    """One night's label for a calendar, a reminder or a report: bags only while sealed
    ("Bag A (trial)", "Baseline (trial)"); after unblinding, which bag held magnesium. None outside."""
    entry = plan.night(night) if plan is not None else None
    if plan is None or entry is None:
        return None
    bag = bag_of(plan, night)
    if plan.blinded and bag is None:
        return "Baseline (trial, no bag)"
    if bag is not None:
        if plan.sealed:
            return f"Bag {bag} (trial)"
        return f"Bag {bag} (trial, {'magnesium' if bag == plan.magnesium_bag else 'no magnesium'})"
    return {"on": "Magnesium (trial)", "off": "No magnesium (trial)"}.get(entry.phase, "Baseline (trial)")


def bag_item_label(phase: str | None) -> str | None:
    """The dashboard's checklist label on a sealed blinded night ("A"/"B"); None otherwise (the one
    wording is `trial_plan.trial_item_label`'s)."""
    return trial_item_label(phase) if phase in BAGS else None


# ---------------------------------------------------------------- analysis


def bag_view(plan: TrialPlan) -> TrialPlan:
    """The plan with bag A read as "on": `n_of_1.analyse` of it gives A minus B, with no mapping."""
    orders = tuple("on-off" if o == "A-B" else "off-on" for o in plan.orders)
    return replace(plan, orders=orders, blinded=False, commitment=None, magnesium_bag=None, salt=None,
                   unblinded_at=None)


def nights_for(plan: TrialPlan, data: Mapping[date, NightData], on_bag: str) -> dict[date, NightData]:
    """Every trial night takes a bag: a dose logged on a night counts as magnesium only when that
    night's bag is `on_bag` (so only a missed dose is a deviation, in either bag)."""
    out = {}
    for night, d in data.items():
        bag = bag_of(plan, night)
        out[night] = d if bag is None else NightData(d.value, d.dosed and bag == on_bag)
    return out


@dataclass(frozen=True)
class GuessCheck:
    """The blinding check: nightly guesses of the bag, and how many were right."""

    guesses: int
    correct: int
    ci_low: float | None
    ci_high: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"guesses": self.guesses, "correct": self.correct,
                "ci_low": None if self.ci_low is None else round(self.ci_low, 3),
                "ci_high": None if self.ci_high is None else round(self.ci_high, 3)}

    def text(self) -> str:
        if not self.guesses:
            return "Blinding check: no guesses were recorded, so whether the blind held is unknown."
        assert self.ci_low is not None and self.ci_high is not None
        return (f"Blinding check: you guessed the bag right on {self.correct} of {self.guesses} nights "
                f"({self.correct / self.guesses:.0%}, 95% CI {self.ci_low:.0%} to {self.ci_high:.0%}); near 50% "
                "means the blind held, well above it that you could tell the bags apart.")


def wilson(correct: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95% interval for a share (Wilson 1927): sane at 0, n and small n."""
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def guess_check(plan: TrialPlan, guesses: Mapping[date, str]) -> GuessCheck | None:
    """The share of guesses right, known only once unblinded (never while sealed)."""
    if plan.sealed or not plan.blinded:
        return None
    marked = [(g, bag_of(plan, night)) for night, g in guesses.items() if bag_of(plan, night) is not None]
    n, right = len(marked), sum(1 for g, bag in marked if g == bag)
    low, high = wilson(right, n) if n else (None, None)
    return GuessCheck(n, right, low, high)


@dataclass(frozen=True)
class BlindedResult:
    """A blinded trial's result: bag A minus bag B (no direction while sealed) and, once unblinded,
    the ordinary end-of-trial call and the blinding check."""

    plan: TrialPlan
    bags: TrialResult
    """The analysis of bag A against bag B (`bag_view`)."""
    unblinded: TrialResult | None
    guesses: GuessCheck | None
    missed: tuple[date, ...] = ()
    """Bag nights logged without a dose (either bag: the blind cannot tell which was magnesium)."""

    @property
    def deviations(self) -> tuple[date, ...]:
        return self.missed

    def bags_text(self) -> str:
        e, unit = self.bags.as_randomised, DIFF_UNITS[self.plan.metric]
        done = f"{e.pairs_complete} of {self.plan.pairs} pairs done"
        label = METRICS_BY_KEY[self.plan.metric].label
        if e.estimate is None:
            return f"Blinded, bag A against bag B: no estimate yet ({done})."
        if e.ci_low is None or e.ci_high is None:
            return f"Blinded: {label} bag A minus bag B {e.estimate:+.1f}{unit}, from 1 pair: no interval yet."
        return (f"Blinded: {label} bag A minus bag B {e.estimate:+.1f}{unit}, 95% CI {e.ci_low:+.1f} to "
                f"{e.ci_high:+.1f} ({done}).")

    def text(self) -> str:
        if self.unblinded is None:
            return f"{self.bags_text()} {SEALED}"
        when = str(self.plan.unblinded_at)[:10]
        early = "Unblinded early" if self.plan.unblinded_early else "Unblinded"
        head = f"{early} on {when}: bag {self.plan.magnesium_bag} held magnesium."
        check = f" {self.guesses.text()}" if self.guesses is not None else ""
        return f"{head} {self.unblinded.text()} {self.bags_text()}{check}"

    def next_step(self) -> str:
        """What to do next: keep to the bags until the end, then unblind; once unblinded, the ordinary step."""
        if self.unblinded is not None:
            return self.unblinded.next_step()
        return (f"Keep to the bags until {self.plan.end:%d %b %Y}; then unblind with the helper's sheet "
                "('magsleep trial unblind SHEET'), and the result is called.")

    def as_dict(self) -> dict[str, Any]:
        """`randomised_trial` for a blinded plan: the ordinary result once unblinded; while sealed the
        A-minus-B figures with direction "sealed"."""
        if self.unblinded is not None:
            base = self.unblinded.as_dict()
        else:
            base = {**self.bags.as_dict(), "direction": "sealed", "per_protocol": None, "power": None}
        bags = self.bags.as_randomised.as_dict()
        return {**base, "blinded": True, "sealed": self.unblinded is None,
                "magnesium_bag": self.plan.magnesium_bag, "unblinded_at": self.plan.unblinded_at,
                "unblinded_early": self.plan.unblinded_early,
                "a_minus_b": {k: bags[k] for k in ("pairs_complete", "estimate", "ci_low", "ci_high")},
                "blinding": self.guesses.as_dict() if self.guesses is not None else None}


def analyse_blinded(plan: TrialPlan, data: Mapping[date, NightData], last: date,
                    guesses: Mapping[date, str]) -> BlindedResult:
    """A blinded plan's result up to night `last`: A minus B always, the call only once unblinded."""
    bags = analyse(bag_view(plan), nights_for(plan, data, "A"), last)
    unblinded = None
    if plan.magnesium_bag is not None:
        unblinded = analyse(plan, nights_for(plan, data, plan.magnesium_bag), last)
    missed = tuple(sorted(night for night, d in data.items()
                          if night <= last and not d.dosed and bag_of(plan, night) is not None))
    return BlindedResult(plan, bags, unblinded, guess_check(plan, guesses), missed)
