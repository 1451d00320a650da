"""`magsleep status`: one line for a shell prompt or a tmux status bar.

It runs on every prompt, so it is answered before click, SQLAlchemy or Textual are imported (and
this module imports little at its top: every start of magsleep passes through `run`): the
file is read read-only with plain sqlite3 through the same SQL the dashboard's first frame uses
(`store.tonight`), and nothing is created or written. Exit code 0 whatever it finds.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from magsleep import local_time, store
from magsleep.domain.nights import last_night, night_of
from magsleep.domain.routine import is_deviation
from magsleep.domain.text_safety import visible
from magsleep.paths import DB_ENV, default_db_path


def status(path: Path, now: datetime) -> dict[str, Any]:
    """Tonight's checklist and dose, and whether last night is logged."""
    if not path.is_file():
        return {"db": str(path), "error": "no database yet"}
    try:
        with closing(store.tonight.read_only_snapshot(path)) as conn:
            settings = store.tonight.read_settings(conn)
            tonight = night_of(now, settings.rollover_hour)
            last = last_night(now, settings.rollover_hour)
            # Only what the line shows (not all of `tonight_at`): this runs on every prompt.
            doses = store.tonight.read_doses(conn, tonight)
            plan = store.tonight.read_trial(conn)
            checks = store.tonight.night_checklist(conn, tonight, doses, plan)  # as the dashboard counts
            logged = conn.execute(f"SELECT {store.tonight.COMPLETE_DIARY.format(n='')} FROM night WHERE date = ?",
                                  (last.isoformat(),)).fetchone()
            # The first evening has no last night to log: nothing is said about it until one exists.
            began = conn.execute("SELECT 1 FROM night WHERE date <= ? LIMIT 1", (last.isoformat(),)).fetchone()
    except store.tonight.OtherVersion as err:  # an older file is upgraded on open; a newer one never
        return {"db": str(path), "error": "written by a newer magsleep: upgrade magsleep to read it" if err.newer
                else "open magsleep once to update the database"}
    except store.errors.NotMagsleep:  # another program's file: refused from its header, untouched
        return {"db": str(path), "error": "not a magsleep database (left as it is)"}
    except (sqlite3.Error, ValueError, OSError, store.errors.StoreError) as err:
        return {"db": str(path), "error": f"cannot read the database ({err})"}
    mg = round(sum(d.elemental_mg for d in doses), 1)
    trial = store.tonight.trial_line(plan, tonight)
    phase = store.tonight.trial_phase(plan, tonight) if trial else None
    damaged = isinstance(plan, store.tonight.DamagedPlan) and plan.running  # said, never used
    return {"db": str(path), "night": tonight.isoformat(), "done": sum(c.done for c in checks),
            "items": len(checks), "elemental_mg": mg, "doses": len(doses),
            "limit_mg": settings.daily_limit_mg,
            "last_night_logged": bool(logged and logged[0]) if began else None,
            "trial": trial, "trial_phase": phase,
            # a dose on a no-magnesium night of the trial: said here as on the dashboard
            "trial_deviation": bool(trial) and is_deviation(phase, len(doses)),
            "trial_plan_changed": damaged}


def line(data: dict[str, Any]) -> str:
    if "error" in data:
        return f"Mg · {data['error']}"
    dose = f"{data['elemental_mg']:g} mg" if data["doses"] else "no dose yet"
    if data["doses"] and data["elemental_mg"] > data["limit_mg"]:
        dose += " (over the limit)"
    text = f"Mg tonight {data['done']}/{data['items']} · {dose}"
    if data["last_night_logged"] is not None:  # None: no night before tonight yet
        text += " · last night logged" if data["last_night_logged"] else " · last night not logged"
    if data.get("trial_deviation"):
        text += " · trial: dose on a no-magnesium night (deviation)"
    elif data["trial"]:
        phase = data.get("trial_phase")
        bag = phase in ("A", "B")  # a sealed blinded night: its bag, never on/off
        text += " · trial: " + (f"bag {phase} night" if bag else "magnesium night" if phase == "on"
                                else "no-magnesium night")
    if data.get("trial_plan_changed"):
        text += " · trial plan changed outside magsleep"
    return text


def run(argv: list[str]) -> int | None:
    """Answer `magsleep [--db PATH] status [--json]` here; None when argv is another command."""
    db: str | None = None
    args = list(argv)
    if args[:1] == ["--db"] and len(args) >= 2:
        db, args = args[1], args[2:]
    elif args and args[0].startswith("--db="):
        db, args = args[0][5:], args[1:]
    if not args or args[0] != "status" or any(a not in ("--json",) for a in args[1:]):
        return None
    path = Path(db or os.environ.get(DB_ENV) or default_db_path()).expanduser()
    data = status(path, local_time.now())
    sys.stdout.write((json.dumps(data) if "--json" in args else visible(line(data))) + "\n")
    return 0
