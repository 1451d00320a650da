"""Integrity and foreign-key checks of an open database."""

from __future__ import annotations

from magsleep.store.engine import Store
from magsleep.store.trials import plan_problems


def check_health(store: Store) -> list[str]:
    """Problems found by integrity_check and foreign_key_check; empty when healthy."""
    problems: list[str] = []
    with store.reading() as session:
        conn = session.connection()
        integrity = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.extend(f"integrity: {line}" for line in integrity)
        for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check"):
            problems.append(f"foreign key: {table} row {rowid} points at a missing {parent}")
        problems.extend(f"trial: {notice}" for notice in plan_problems(session=session))
    return problems
