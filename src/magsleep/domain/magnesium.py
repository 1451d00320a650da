"""Magnesium forms, elemental amounts, the daily supplement limit and dose jumps.

Elemental fractions come from the molecular formulas and match PMC7397051, Table 3. The
tolerable upper intake level for magnesium from supplements and
medicines (not food) is 350 mg/day for ages 9+, 110 mg for 4-8 and 65 mg for 1-3 (US Food and
Nutrition Board, as in the NIH Office of Dietary Supplements fact sheet). magsleep never
suggests a dose: it only adds up what the person took and says when that passes the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from magsleep.domain.errors import InvalidInput
from magsleep.domain.parsing import parse_number

DEFAULT_DAILY_LIMIT_MG = 350
"""The adult upper limit for magnesium from supplements and medicines (NIH ODS); food does not count."""
# A single entry above this is a typing slip, not a dose (5 g of compound is already far past
# any label); it is refused rather than stored.
MAX_AMOUNT_MG = 5000.0
MIN_AMOUNT_MG = 0.1
"""The smallest amount magsleep takes (typed, in the app or imported), compound or elemental:
amounts are kept to 0.1 mg, so anything smaller would be stored as "0 mg" and still count as a
dosed night. No Supplement Facts label states less."""
# A night's total this much above the recent typical nightly total counts as a jump.
JUMP_RATIO = 1.5

CONSULT = "Please check with a healthcare professional."


@dataclass(frozen=True)
class Form:
    """One magnesium compound: its key, a display name and the elemental fraction by weight."""

    key: str
    name: str
    fraction: float | None  # None for "other": the person gives the percentage


FORMS: tuple[Form, ...] = (
    Form("glycinate", "glycinate / bisglycinate", 0.141),
    Form("citrate", "citrate", 0.162),
    Form("citrate-nonahydrate", "citrate nonahydrate", 0.119),
    Form("oxide", "oxide", 0.603),
    Form("malate", "malate", 0.155),
    Form("threonate", "L-threonate", 0.083),
    Form("chloride", "chloride (anhydrous)", 0.255),
    Form("chloride-hexahydrate", "chloride hexahydrate", 0.120),
    Form("lactate", "lactate", 0.120),
    Form("taurate", "taurate", 0.089),
    Form("sulfate", "sulfate (anhydrous)", 0.202),
    Form("sulfate-heptahydrate", "sulfate heptahydrate (Epsom)", 0.099),
    Form("aspartate", "aspartate", 0.084),
    Form("orotate", "orotate", 0.073),
    Form("other", "other (give the % Mg)", None),
)
FORMS_BY_KEY = {form.key: form for form in FORMS}
ALIASES = {
    "bisglycinate": "glycinate",
    "l-threonate": "threonate",
    "epsom": "sulfate-heptahydrate",
}
DEFAULT_FORM = "glycinate"


class AmountIs(StrEnum):
    """What the typed amount means: the label's elemental mg, or the compound's own weight."""

    ELEMENTAL = "elemental"
    COMPOUND = "compound"


def find_form(text: str | None, field: str = "form") -> Form:
    """Look a form up by key or alias, case-insensitively."""
    key = (text or "").strip().lower().replace(" ", "-").replace("_", "-")
    key = ALIASES.get(key, key)
    if key not in FORMS_BY_KEY:
        known = ", ".join(form.key for form in FORMS)
        raise InvalidInput(field, f"unknown form {text!r}; choose one of: {known}")
    return FORMS_BY_KEY[key]


@dataclass(frozen=True)
class DoseAmount:
    """A checked dose amount: what was typed, what it means, and the elemental mg it gives."""

    form: str
    amount_mg: float
    amount_is: AmountIs
    percent: float | None
    elemental_mg: float


def parse_amount(amount: str | float | None) -> float:
    """A dose amount in mg: a positive, finite number no bigger than a typing slip allows.

    "200 mg" and "200mg" mean 200: the unit is the one asked for.
    """
    if isinstance(amount, str):
        stripped = amount.strip()
        if stripped.lower().endswith("mg"):
            amount = stripped[:-2]
    value = parse_number(amount, "amount", minimum=0, maximum=MAX_AMOUNT_MG, allow_minimum=False, unit="mg")
    if value < MIN_AMOUNT_MG:
        typed = f"{value:.12f}".rstrip("0")  # 0.0000001, not 1e-07
        raise InvalidInput("amount", f"{typed} mg is less than {MIN_AMOUNT_MG:g} mg, "
                                     "the smallest amount magsleep records")
    return value


def dose_amount(
    form: str | None,
    amount: str | float | None,
    *,
    compound: bool = False,
    percent: str | float | None = None,
) -> DoseAmount:
    """Validate a dose and compute its elemental magnesium once.

    The default reading of the amount is the elemental figure on a Supplement Facts label
    ("Magnesium (as glycinate) 200 mg"); with `compound` it is the compound's own weight and
    is converted with the form's fraction.
    """
    found = find_form(form)
    amount_mg = parse_amount(amount)
    pct: float | None = None
    if found.fraction is None:
        if percent is None or (isinstance(percent, str) and not percent.strip()):
            if compound:
                raise InvalidInput("percent", "give the % magnesium for form 'other'")
        else:
            pct = parse_number(percent, "percent", minimum=0, maximum=100, allow_minimum=False, unit="%")
    elif percent not in (None, ""):
        raise InvalidInput("percent", f"only for form 'other'; {found.key} is {found.fraction:.1%} Mg")
    if compound:
        fraction = found.fraction if found.fraction is not None else (pct or 0) / 100  # pct is set: checked above
        elemental = amount_mg * fraction
    else:
        elemental = amount_mg
    if round(elemental, 1) < MIN_AMOUNT_MG:
        raise InvalidInput("amount", f"{amount_mg:g} mg of {found.key} is {elemental:.2g} mg of magnesium; "
                                     f"at least {MIN_AMOUNT_MG:g} mg elemental")
    return DoseAmount(
        form=found.key,
        amount_mg=round(amount_mg, 1),
        amount_is=AmountIs.COMPOUND if compound else AmountIs.ELEMENTAL,
        percent=pct,
        elemental_mg=round(elemental, 1),
    )


@dataclass(frozen=True)
class LimitStatus:
    """A day's elemental total against the supplement limit."""

    total_mg: float
    limit_mg: float

    @property
    def over(self) -> bool:
        return self.total_mg > self.limit_mg

    @property
    def share(self) -> float:
        return self.total_mg / self.limit_mg if self.limit_mg else 0.0

    @property
    def message(self) -> str:
        if self.over:
            return (
                f"{self.total_mg:g} mg elemental is above the {self.limit_mg:g} mg daily upper "
                f"limit for supplements. {CONSULT}"
            )
        return f"{self.total_mg:g} of {self.limit_mg:g} mg daily limit"


def limit_status(elemental_mgs: Sequence[float], limit_mg: float = DEFAULT_DAILY_LIMIT_MG) -> LimitStatus:
    """Add up a day's elemental doses and compare them with the limit."""
    return LimitStatus(total_mg=round(sum(elemental_mgs), 1), limit_mg=limit_mg)


def validate_limit(value: str | float | None) -> float:
    """A daily limit setting: positive and not absurd."""
    return parse_number(value, "daily limit", minimum=0, maximum=2000, allow_minimum=False, unit="mg")


def dose_jump(previous_totals: Sequence[float], new_total: float) -> str | None:
    """A warning when tonight's total jumps above the recent nights instead of rising gradually.

    `previous_totals` are the nightly totals of the recent nights with a dose (up to a week).
    Gradual means no more than 50% above their average; the first nights have nothing to jump from.
    """
    recent = [t for t in previous_totals if t > 0]
    if not recent:
        return None
    typical = sum(recent) / len(recent)
    if new_total > typical * JUMP_RATIO:
        return (
            f"Tonight's {new_total:g} mg is a jump from your recent {typical:.0f} mg a night; "
            "raising a dose gradually is gentler on the stomach."
        )
    return None
