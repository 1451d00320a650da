"""Reading and writing settings."""

from __future__ import annotations

from sqlmodel import Session

from magsleep.domain.settings import Settings, parse_setting, setting_text
from magsleep.store.models import Setting
from magsleep.store.tonight import connection_of, read_settings


def load_settings(*, session: Session) -> Settings:
    return read_settings(connection_of(session))


def save_setting(key: str, value: object, *, session: Session) -> object:
    """Check and store one setting; `value` may be typed text. Returns the typed value."""
    typed = parse_setting(key, value if isinstance(value, str) or value is None else setting_text(value))
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=setting_text(typed)))
    else:
        row.value = setting_text(typed)
        session.add(row)
    return typed
