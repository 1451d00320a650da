"""The evening routine checklist: the default items and label validation."""

from __future__ import annotations

from magsleep.domain.errors import InvalidInput
from magsleep.domain.text_safety import without_controls

TAKE_MAGNESIUM = "Take magnesium"
REGULAR_BEDTIME = "Regular bedtime"
DEFAULT_ITEMS: tuple[str, ...] = (
    TAKE_MAGNESIUM,
    "Screens off an hour before bed",
    "Dark, cool, quiet bedroom",
    REGULAR_BEDTIME,
    "Wind-down routine",
    "No caffeine after midday",
)
MAX_LABEL = 60


def clean_label(text: str | None) -> str:
    """A checklist label: trimmed, one line, no control characters, not empty, not too long."""
    label = " ".join(without_controls(" ".join((text or "").split())).split())
    if not label:
        raise InvalidInput("label", "is required")
    if len(label) > MAX_LABEL:
        raise InvalidInput("label", f"must be at most {MAX_LABEL} characters")
    return label


def label_key(label: str) -> str:
    """What makes two labels the same item: case and spacing do not count."""
    return " ".join(label.split()).casefold()


def dose_means_taken(phase: str | None) -> bool:
    """True when, on a night of this trial phase (None outside a trial), a dose is what "Take
    magnesium" means; on a randomised trial's baseline or no-magnesium night that item means
    keeping to the plan instead."""
    return phase not in ("off", "baseline")


def dose_keeps_tick(label: str, doses: int, phase: str | None) -> bool:
    """True when "Take magnesium" counts as done because a dose is logged that night: the dose is
    the proof, and the tick stays while a dose does."""
    return label == TAKE_MAGNESIUM and doses > 0 and dose_means_taken(phase)


def is_deviation(phase: str | None, doses: int) -> bool:
    """A dose logged on a trial's no-magnesium night (baseline or off): the plan was not kept. The
    one rule the dashboard, the status line, the reminder and `trial status` say it by."""
    return doses > 0 and not dose_means_taken(phase)


def dose_breaks_tick(label: str, doses: int, phase: str | None) -> bool:
    """True when a dose was logged on a trial's no-magnesium night: the item then reads "No magnesium
    tonight", and the dose shows it was not kept (a deviation), so it cannot count as done."""
    return label == TAKE_MAGNESIUM and is_deviation(phase, doses)


def tick_refused(night: str, doses: int) -> str:
    """Why "No magnesium tonight" cannot be ticked on a trial night with a dose logged."""
    count = f"{doses} dose{'s' if doses != 1 else ''}"
    return (f"{count} {'is' if doses == 1 else 'are'} logged for the night of {night}, a no-magnesium night of "
            "your trial: the night is saved as a deviation; to tick it, remove the dose")


def untick_refused(night: str, doses: int, total_mg: float) -> str:
    """Why "Take magnesium" cannot be unticked on a night with doses logged."""
    count = f"{doses} dose{'s' if doses != 1 else ''} ({total_mg:g} mg)"
    return (f'"{TAKE_MAGNESIUM}" stays ticked while {count} {"is" if doses == 1 else "are"} logged for the '
            f"night of {night}; to untick it, remove the dose (History: h, then e)")
