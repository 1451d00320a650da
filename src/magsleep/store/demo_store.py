"""Writing demo nights into a database."""

from __future__ import annotations

from sqlmodel import Session

from magsleep.domain.demo import DemoNight
from magsleep.store.doses import add_dose
from magsleep.store.nights import save_diary
from magsleep.store.routine_store import item_by_label, set_check


def write_demo(nights: list[DemoNight], *, session: Session) -> int:
    """Store generated nights in the caller's transaction."""
    item_ids: dict[str, int] = {}
    for demo in nights:
        save_diary(demo.night, demo.diary, symptoms=demo.symptoms, note=demo.note, session=session)
        for taken_at, amount in demo.doses:
            add_dose(demo.night, taken_at, amount, session=session)
        for label, done in demo.checks.items():
            if label not in item_ids:
                item = item_by_label(label, session=session)
                if item is None:
                    continue
                item_ids[label] = item.id
            set_check(demo.night, item_ids[label], done, session=session)
    return len(nights)
