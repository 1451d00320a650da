"""The person's settings: what they are, their defaults, and how typed values are checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, time
from typing import Any

from magsleep.domain.errors import InvalidInput
from magsleep.domain.guidance import MAX_MEDICINES
from magsleep.domain.magnesium import DEFAULT_DAILY_LIMIT_MG, DEFAULT_FORM, find_form, validate_limit
from magsleep.domain.nights import DEFAULT_ROLLOVER_HOUR
from magsleep.domain.parsing import parse_clock, parse_date, parse_int
from magsleep.domain.text_safety import without_controls
from magsleep.domain.trend import OUTCOMES

DEFAULT_FIRST_WEEKS_NIGHTS = 28
DEFAULT_EVENING_REMINDER = time(21, 30)
DEFAULT_MORNING_REMINDER = time(7, 30)
# Keys stored by magsleep before the "first weeks" were named apart from the randomised trial.
OLD_KEYS = {"trial_start": "first_weeks_start", "trial_length": "first_weeks_length"}


@dataclass(frozen=True)
class Settings:
    """All settings with their defaults; stored as text in the `setting` table."""

    rollover_hour: int = DEFAULT_ROLLOVER_HOUR
    daily_limit_mg: float = DEFAULT_DAILY_LIMIT_MG
    default_form: str = DEFAULT_FORM
    first_weeks_start: date | None = None
    """The first night of the first weeks (None: the night of the first dose)."""
    first_weeks_length: int = DEFAULT_FIRST_WEEKS_NIGHTS
    medicines: str = ""
    """Medicines the person takes (free text, optional): the dose form shows the spacing that applies."""
    theme: str = ""
    """The Textual theme last chosen ("" for the default)."""
    primary_outcome: str = "sol"
    """The one outcome the headline speaks of (trend.OUTCOMES); the others are secondary."""
    welcome_seen: bool = False
    evening_reminder: time = DEFAULT_EVENING_REMINDER
    """When the evening reminder and the calendar's evening event fire (local wall clock)."""
    morning_reminder: time = DEFAULT_MORNING_REMINDER
    """When the morning reminder and the calendar's morning event fire (local wall clock)."""


SETTING_KEYS = tuple(f.name for f in fields(Settings))
REMINDER_FIELDS = {"evening_reminder": "evening reminder", "morning_reminder": "morning reminder"}


def _medicines(text: str | None) -> str:
    value = " ".join(without_controls(str(text or "")).split())
    if len(value) > MAX_MEDICINES:
        raise InvalidInput("medicines", f"must be at most {MAX_MEDICINES} characters")
    return value


def _theme(text: str | None) -> str:
    value = str(text or "").strip()
    if len(value) > 60 or not all(ch.isalnum() or ch in "-_" for ch in value):
        raise InvalidInput("theme", "is not a theme name")
    return value


def _primary_outcome(text: str | None) -> str:
    value = str(text or "").strip().lower()
    if value not in OUTCOMES:
        raise InvalidInput("primary outcome", f"must be one of {', '.join(OUTCOMES)}")
    return value


SETTING_PARSERS: dict[str, Callable[[str | None], object]] = {
    "rollover_hour": lambda text: parse_int(text, "rollover hour", minimum=0, maximum=23),
    "daily_limit_mg": validate_limit,
    "default_form": lambda text: find_form(text, "default form").key,
    "first_weeks_start": lambda text: None if text in (None, "") else parse_date(text, "first weeks start"),
    "first_weeks_length": lambda text: parse_int(text, "first weeks", minimum=7, maximum=365, unit="nights"),
    "medicines": _medicines,
    "theme": _theme,
    "primary_outcome": _primary_outcome,
    "welcome_seen": lambda text: str(text).lower() in ("1", "true", "yes"),
    "evening_reminder": lambda text: parse_clock(text, REMINDER_FIELDS["evening_reminder"]),
    "morning_reminder": lambda text: parse_clock(text, REMINDER_FIELDS["morning_reminder"]),
}
"""Each setting's check: typed text in, the typed value out (InvalidInput with a message)."""


def parse_setting(key: str, text: str | None) -> object:
    """Check one setting's typed value; returns the typed value."""
    parser = SETTING_PARSERS.get(key)
    if parser is None:
        raise InvalidInput("setting", f"unknown setting {key!r}")
    return parser(text)


def setting_text(value: object) -> str:
    """How a typed setting is stored."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if isinstance(value, date) else str(value)


def settings_from_text(stored: dict[str, str]) -> Settings:
    """Settings from stored text; a value that no longer parses falls back to its default."""
    # A key stored under its old name is read under its new one; the new one wins when both are there.
    stored = {**{new: stored[old] for old, new in OLD_KEYS.items() if old in stored},
              **{k: v for k, v in stored.items() if k not in OLD_KEYS}}
    result = Settings()
    for key in SETTING_KEYS:
        if key in stored:
            try:
                value: Any = parse_setting(key, stored[key])  # each key's own type
                result = replace(result, **{key: value})
            except InvalidInput:
                pass
    return result
