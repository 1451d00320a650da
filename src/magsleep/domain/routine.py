"""The evening routine checklist: the default items and label validation."""

from __future__ import annotations

from magsleep.domain.errors import InvalidInput

TAKE_MAGNESIUM = "Take magnesium"
DEFAULT_ITEMS: tuple[str, ...] = (
    TAKE_MAGNESIUM,
    "Screens off an hour before bed",
    "Dark, cool, quiet bedroom",
    "Regular bedtime",
    "Wind-down routine",
    "No caffeine after midday",
)
MAX_LABEL = 60


def clean_label(text: str | None) -> str:
    """A checklist label: trimmed, one line, not empty, not too long."""
    label = " ".join((text or "").split())
    if not label:
        raise InvalidInput("label", "is required")
    if len(label) > MAX_LABEL:
        raise InvalidInput("label", f"must be at most {MAX_LABEL} characters")
    return label
