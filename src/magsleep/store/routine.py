"""The checklist: items and their per-night checks."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, func, select

from magsleep.domain.errors import InvalidInput
from magsleep.domain.routine import (
    TAKE_MAGNESIUM,
    clean_label,
    dose_breaks_tick,
    dose_keeps_tick,
    label_key,
    tick_refused,
    untick_refused,
)
from magsleep.store.models import RoutineCheck, RoutineItem, row_id
from magsleep.store.nights import night_row
from magsleep.store.records import CheckRecord, ItemRecord
from magsleep.store.tonight import connection_of, night_checklist, read_doses, read_trial, trial_phase


def list_items(*, session: Session, active_only: bool = False) -> list[ItemRecord]:
    query = select(RoutineItem).order_by(col(RoutineItem.position), col(RoutineItem.id))
    if active_only:
        query = query.where(RoutineItem.active == True)  # noqa: E712
    return [ItemRecord(row_id(i), i.label, i.position, i.active) for i in session.exec(query)]


def checklist_for(night: date, *, session: Session) -> list[CheckRecord]:
    """Tonight's checklist: the active items, plus inactive ones that were ticked that night."""
    conn = connection_of(session)
    return night_checklist(conn, night, read_doses(conn, night), read_trial(conn))


def set_check(night: date, item_id: int, done: bool, *, at: datetime | None = None,
              session: Session) -> None:
    """Tick or untick an item on a night; "Take magnesium" stays ticked while the night has a dose."""
    item = _existing(item_id, session)
    if item.label == TAKE_MAGNESIUM:  # the one item a dose speaks for: the night's doses and plan decide
        conn = connection_of(session)
        doses = read_doses(conn, night)
        phase = trial_phase(read_trial(conn), night)
        if not done and dose_keeps_tick(item.label, len(doses), phase):
            raise InvalidInput("item", untick_refused(f"{night:%a %d %b}", len(doses),
                                                      round(sum(d.elemental_mg for d in doses), 1)))
        if done and dose_breaks_tick(item.label, len(doses), phase):
            raise InvalidInput("item", tick_refused(f"{night:%a %d %b}", len(doses)))
    row = night_row(night, session=session)
    check = session.exec(select(RoutineCheck).where(
        RoutineCheck.night_id == row.id, RoutineCheck.item_id == item_id)).first()
    if check is None:
        check = RoutineCheck(night_id=row_id(row), item_id=item_id, done=done)
    check.done = done
    check.at = at.isoformat(timespec="seconds") if at is not None else None
    session.add(check)


def item_by_label(label: str, *, session: Session) -> RoutineItem | None:
    """The item whose label is the same as `label` but for case and spacing (SQLite's lower()
    folds only ASCII, so the comparison is made here; a checklist has a handful of items)."""
    key = label_key(label)
    return next((item for item in session.exec(select(RoutineItem)) if label_key(item.label) == key), None)


def add_item(label: str, *, session: Session, created_on: date | None = None) -> ItemRecord:
    """A new active item at the end; `created_on` is tonight when a person adds it (adherence counts
    it from then on), None for items that come with imported nights."""
    clean = clean_label(label)
    same = item_by_label(clean, session=session)
    if same is not None:
        raise InvalidInput("label", f"{same.label!r} is already on the checklist")
    last = session.exec(select(func.max(RoutineItem.position))).one()
    item = RoutineItem(label=clean, position=(last or 0) + 1, active=True,
                       created_on=created_on.isoformat() if created_on else None)
    session.add(item)
    session.flush()
    return ItemRecord(row_id(item), item.label, item.position, item.active)


def rename_item(item_id: int, label: str, *, session: Session) -> None:
    clean = clean_label(label)
    other = item_by_label(clean, session=session)
    if other is not None and other.id != item_id:
        raise InvalidInput("label", f"{other.label!r} is already on the checklist")
    item = _existing(item_id, session)
    item.label = clean
    session.add(item)


def set_active(item_id: int, active: bool, *, session: Session) -> None:
    item = _existing(item_id, session)
    item.active = active
    session.add(item)


def _existing(item_id: int, session: Session) -> RoutineItem:
    """The item, or a message for the person: it may have been removed in another window."""
    item = session.get(RoutineItem, item_id)
    if item is None:
        raise InvalidInput("item", "that checklist item no longer exists")
    return item


def move_item(item_id: int, offset: int, *, session: Session) -> None:
    """Move an item up (negative) or down (positive) the list."""
    items = list(session.exec(select(RoutineItem).order_by(col(RoutineItem.position), col(RoutineItem.id))))
    index = next((i for i, item in enumerate(items) if item.id == item_id), None)
    if index is None:
        raise InvalidInput("item", "that checklist item no longer exists")
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            session.add(item)
