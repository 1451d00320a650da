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
