"""What the reminders and the calendar read: tonight's checklist, last night's diary, the running plan.

Read-only, on a plain sqlite3 snapshot (`tonight.read_only_snapshot`), through the same SQL the
dashboard's first frame and `magsleep status` use: a reminder from cron never creates, migrates or
locks the file, and never waits for SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from magsleep.domain.nights import last_night, night_of
from magsleep.domain.reminders import EveningState
from magsleep.domain.routine import is_deviation
from magsleep.domain.settings import Settings
from magsleep.domain.trial_plan import TrialPlan
from magsleep.store import errors, tonight


@dataclass(frozen=True)
class ReminderState:
    """Everything a reminder or the calendar needs, read in one snapshot."""

    settings: Settings
    evening: EveningState
    last_night_logged: bool
    plan: TrialPlan | None
    """The running randomised plan (not stopped, not over), None outside one."""


def read_reminder_state(path: Path, now: datetime) -> ReminderState:
    """The state as of `now`; raises StoreError (one line) when the file cannot be read."""
    if not path.is_file():
        raise errors.StoreError(f"no database at {path} yet (open magsleep once, or pass --db)")
    try:
        with closing(tonight.read_only_snapshot(path)) as conn:
            settings = tonight.read_settings(conn)
            night = night_of(now, settings.rollover_hour)
            doses = tonight.read_doses(conn, night)
            plan = tonight.read_trial(conn)
            checks = tonight.night_checklist(conn, night, doses, plan)
            active = {row[0] for row in conn.execute("SELECT id FROM routine_item WHERE active = 1")}
            logged = conn.execute(f"SELECT {tonight.COMPLETE_DIARY.format(n='')} FROM night WHERE date = ?",
                                  (last_night(now, settings.rollover_hour).isoformat(),)).fetchone()
    except tonight.OtherVersion as err:
        raise errors.StoreError(f"{path} was written by a newer magsleep: upgrade magsleep to read it" if err.newer
                                else f"{path} is from an older magsleep: open magsleep once to update it") from None
    except (sqlite3.Error, ValueError, OSError) as err:
        raise errors.StoreError(f"cannot read {path} ({err})") from None
    running = plan if isinstance(plan, TrialPlan) and tonight.running(plan, night) else None
    # Only active items count: an item switched off but ticked that night is shown, not owed.
    items = tuple((c.label, c.done) for c in checks if c.item_id in active)
    phase = tonight.trial_phase(plan, night)
    return ReminderState(settings, EveningState(night, items, phase, is_deviation(phase, len(doses))),
                         bool(logged and logged[0]), running)
