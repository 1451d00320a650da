"""First-run defaults: the checklist items."""

from __future__ import annotations

from sqlmodel import Session, func, select

from magsleep.domain.routine import DEFAULT_ITEMS
from magsleep.store.models import RoutineItem


def needs_seeding(*, session: Session) -> bool:
    return not session.exec(select(func.count()).select_from(RoutineItem)).one()


def seed_defaults(*, session: Session) -> bool:
    """Add the default checklist when there are no items at all; True if it did."""
    if session.exec(select(func.count()).select_from(RoutineItem)).one():
        return False
    for position, label in enumerate(DEFAULT_ITEMS):
        session.add(RoutineItem(label=label, position=position, active=True))
    return True
