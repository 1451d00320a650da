"""Writing demo nights into a database, in bulk (a century of nights must not take minutes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import Session, col

from magsleep.domain.demo import DemoNight
from magsleep.store.models import Dose, Night, RoutineCheck, RoutineItem, SymptomRow


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def write_demo(nights: list[DemoNight], *, session: Session) -> int:
    """Store generated nights in the caller's transaction (the nights must not exist yet)."""
    items = {label: item_id for item_id, label in session.execute(select(col(RoutineItem.id), col(RoutineItem.label)))}
    rows = []
    for demo in nights:
        d = demo.diary
        rows.append({
            "date": demo.night.isoformat(), "note": demo.note,
            "bed": _iso(d.bed) if d else None, "tried": _iso(d.tried) if d else None,
            "latency_min": d.latency_min if d else None, "awakenings": d.awakenings if d else None,
            "waso_min": d.waso_min if d else None, "final": _iso(d.final) if d else None,
            "up": _iso(d.up) if d else None, "quality": d.quality if d else None,
            "rested": d.rested if d else None,
        })
    for chunk in range(0, len(rows), 5000):
        session.execute(insert(Night), rows[chunk:chunk + 5000])
    wanted = {n.night.isoformat() for n in nights}
    ids = {day: night_id for night_id, day in session.execute(select(col(Night.id), col(Night.date))) if day in wanted}
    doses, checks, symptoms = [], [], []
    for demo in nights:
        night_id = ids[demo.night.isoformat()]
        for taken_at, amount in demo.doses:
            doses.append({"night_id": night_id, "taken_at": _iso(taken_at), "form": amount.form,
                          "amount_mg": amount.amount_mg, "amount_is": amount.amount_is.value,
                          "percent": amount.percent, "elemental_mg": amount.elemental_mg})
        for label, done in demo.checks.items():
            if label in items:
                checks.append({"night_id": night_id, "item_id": items[label], "done": done})
        for s in demo.symptoms:
            symptoms.append({"night_id": night_id, "kind": s.kind, "severity": s.severity})
    for table, values in ((Dose, doses), (RoutineCheck, checks), (SymptomRow, symptoms)):
        for chunk in range(0, len(values), 5000):
            session.execute(insert(table), values[chunk:chunk + 5000])
    return len(nights)
