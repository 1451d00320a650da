"""Tonight's checklist, doses and settings in plain SQL over a DB-API connection.

These are the store's only readers of tonight: the ORM-facing functions (`checklist_for`,
`recent_totals`, `load_settings`) call them through their session's connection,
and the dashboard calls them on a bare sqlite3 connection (`peek_tonight`) so tonight is on
screen before SQLAlchemy has finished importing. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from magsleep.domain.errors import InvalidInput
from magsleep.domain.nights import night_of
from magsleep.domain.routine import dose_breaks_tick, dose_keeps_tick
from magsleep.domain.settings import Settings, settings_from_text
from magsleep.domain.text_safety import visible
from magsleep.domain.trial_plan import TrialPlan, check_plan, tonight_text
from magsleep.domain.usual_night import USUAL_NIGHTS, usual_clock
from magsleep.store.errors import StoreError
from magsleep.store.files import identify, read_only_uri
from magsleep.store.migrations import CURRENT_VERSION
from magsleep.store.records import CheckRecord, DoseRecord, dose_from_columns


@dataclass(frozen=True)
class DamagedPlan:
    """A stored plan that no longer checks out (its fingerprint or a value was changed outside
    magsleep). It is kept and reported (`verify`), never used: nothing that does not need the
    plan is held up by it, and `trial stop` ends it when it is still open."""

    row_id: int
    created_at: str
    stopped_at: str | None
    problem: str
    columns: dict[str, object]
    """Every stored column as it is (an export carries it unchanged)."""

    @property
    def running(self) -> bool:
        """Still open: it holds the one running plan's place until `trial stop` ends it."""
        return self.stopped_at is None

    @property
    def notice(self) -> str:
        """One line for a person: what is wrong and what to do."""
        made = visible(str(self.created_at)[:25])
        tail = " 'magsleep trial stop' ends it." if self.running else ""
        return f"The trial plan made {made} {self.problem}: its schedule and result are not used.{tail}"


def running(plan: TrialPlan | DamagedPlan | None, tonight: date) -> bool:
    """Whether `plan` is running on night `tonight` (a damaged open plan runs until it is stopped)."""
    if isinstance(plan, DamagedPlan):
        return plan.running
    return plan is not None and plan.stopped_at is None and plan.end >= tonight


def trial_phase(plan: TrialPlan | DamagedPlan | None, night: date) -> str | None:
    """`night`'s phase in a running trial ("baseline", "on", "off"; a sealed blinded plan's bag "A"/"B"),
    None outside one."""
    if plan is None or isinstance(plan, DamagedPlan) or plan.stopped_at is not None:
        return None
    entry = plan.night(night)
    return entry.phase if entry is not None else None


def trial_line(plan: TrialPlan | DamagedPlan | None, night: date) -> str | None:
    """Where `night` stands in a running trial, in one line (the dashboard and the status line)."""
    return tonight_text(plan, night) if isinstance(plan, TrialPlan) and trial_phase(plan, night) else None


@dataclass(frozen=True)
class TonightView:
    """Tonight's checklist and doses, with the settings that frame them."""

    night: date
    checklist: tuple[CheckRecord, ...]
    doses: tuple[DoseRecord, ...]
    recent_totals: tuple[float, ...]
    settings: Settings
    trial: TrialPlan | DamagedPlan | None = None
    """The current randomised trial plan (the running one, else the newest), if any."""
    last_dose: DoseRecord | None = None
    """The latest dose before tonight: "the usual" the dose form offers."""
    usual_bed: str | None = None
    """The median time into bed over the last 14 nights logged (HH:MM), for "Regular bedtime"."""

    @property
    def trial_phase(self) -> str | None:
        """Tonight's phase in a running trial ("baseline", "on", "off"), None outside one."""
        return trial_phase(self.trial, self.night)

    @property
    def trial_line(self) -> str | None:
        """Where tonight stands in a running trial, in one line (None outside one)."""
        return trial_line(self.trial, self.night)

    @property
    def trial_notice(self) -> str | None:
        """What is wrong with a running plan changed outside magsleep (None when nothing is)."""
        return self.trial.notice if isinstance(self.trial, DamagedPlan) and self.trial.running else None

    @property
    def total_mg(self) -> float:
        return round(sum(d.elemental_mg for d in self.doses), 1)


def connection_of(session: Any) -> sqlite3.Connection:
    """The sqlite3 connection under a session, inside its transaction, with its changes flushed."""
    session.flush()
    return session.connection().connection.driver_connection


def read_settings(conn: sqlite3.Connection) -> Settings:
    return settings_from_text(dict(conn.execute("SELECT key, value FROM setting").fetchall()))


def read_checklist(conn: sqlite3.Connection, night: date) -> list[CheckRecord]:
    """The active items in order, plus inactive ones that were ticked that night."""
    rows = conn.execute(
        "SELECT i.id, i.label, i.active, coalesce(c.done, 0) FROM routine_item i "
        "LEFT JOIN routine_check c ON c.item_id = i.id "
        "AND c.night_id = (SELECT id FROM night WHERE date = ?) "
        "ORDER BY i.position, i.id", (night.isoformat(),)).fetchall()
    return [CheckRecord(item_id, label, bool(done)) for item_id, label, active, done in rows if active or done]


def night_checklist(conn: sqlite3.Connection, night: date, doses: list[DoseRecord],
                    plan: TrialPlan | DamagedPlan | None) -> list[CheckRecord]:
    """The night's checklist as every screen shows it: "Take magnesium" is done while a dose is
    logged, and on a trial's no-magnesium night a dose leaves it undone (the one rule the dashboard,
    the night editor, History and the status line share)."""
    phase = trial_phase(plan, night)
    return [replace(c, done=True) if dose_keeps_tick(c.label, len(doses), phase)
            else replace(c, done=False) if dose_breaks_tick(c.label, len(doses), phase) else c
            for c in read_checklist(conn, night)]


def read_doses(conn: sqlite3.Connection, night: date) -> list[DoseRecord]:
    rows = conn.execute(
        "SELECT d.id, d.taken_at, d.form, d.amount_mg, d.amount_is, d.percent, d.elemental_mg, d.note "
        "FROM dose d JOIN night n ON n.id = d.night_id WHERE n.date = ? ORDER BY d.taken_at, d.id",
        (night.isoformat(),)).fetchall()
    return [dose_from_columns(night, *row) for row in rows]


def read_recent_totals(conn: sqlite3.Connection, night: date, days: int = 7) -> list[float]:
    """Nightly totals of the nights with a dose in the `days` before `night`, oldest first."""
    rows = conn.execute(
        "SELECT n.date, sum(d.elemental_mg) FROM night n JOIN dose d ON d.night_id = n.id "
        "WHERE n.date < ? AND n.date >= ? GROUP BY n.date ORDER BY n.date",
        (night.isoformat(), (night - timedelta(days=days)).isoformat())).fetchall()
    return [round(float(total), 1) for _, total in rows]


# A night's diary is complete (used for metrics, and "logged" for the status line and the
# morning reminder) only when every answer is known: a night
# imported from a tracker keeps NULL for what the tracker does not record, never a 0.
COMPLETE_DIARY = ("{n}bed IS NOT NULL AND {n}final IS NOT NULL AND {n}up IS NOT NULL AND {n}quality IS NOT NULL "
                  "AND {n}latency_min IS NOT NULL AND {n}awakenings IS NOT NULL AND {n}waso_min IS NOT NULL")


TRIAL_COLUMNS = ("start, baseline_nights, period_nights, pairs, washout_nights, outcome, orders, created_at, "
                 "stopped_at, fingerprint, id, blinded, commitment, magnesium_bag, salt, unblinded_at")
COLUMN_NAMES = tuple(name.strip() for name in TRIAL_COLUMNS.split(","))


def plan_from_columns(start: object, baseline: object, period: object, pairs: object, washout: object,
                      outcome: object, orders: object, created_at: object, stopped_at: object,
                      fingerprint: object, row_id: int = 0, blinded: object = 0, commitment: object = None,
                      magnesium_bag: object = None, salt: object = None,
                      unblinded_at: object = None) -> TrialPlan | DamagedPlan:
    """A stored plan, checked in full and against its fingerprint (a blinded one's unblinding against
    its commitment); one that fails (edited behind magsleep's back: any value can be there) comes
    back as a DamagedPlan saying why."""
    columns = dict(zip(COLUMN_NAMES, (start, baseline, period, pairs, washout, outcome, orders, created_at,
                                      stopped_at, fingerprint, row_id, blinded, commitment, magnesium_bag, salt,
                                      unblinded_at)))
    stopped = stopped_at if stopped_at is None or isinstance(stopped_at, str) else str(stopped_at)

    def damaged(problem: str) -> DamagedPlan:
        return DamagedPlan(row_id, str(created_at), stopped, problem, columns)

    try:
        nights = (_whole(baseline), _whole(period), _whole(pairs), _whole(washout))
        if not all(isinstance(v, str) for v in (start, outcome, orders, created_at)):
            raise InvalidInput("plan", "has a value of the wrong kind")
        try:
            first = date.fromisoformat(str(start))
            drawn = json.loads(str(orders))
        except (ValueError, RecursionError):  # (json nested a million deep recurses)
            raise InvalidInput("start or orders", "cannot be read") from None
        if not isinstance(drawn, list) or not all(isinstance(o, str) for o in drawn):
            raise InvalidInput("orders", "cannot be read")
        if blinded not in (0, 1) or not all(v is None or isinstance(v, str)
                                            for v in (commitment, magnesium_bag, salt, unblinded_at)):
            raise InvalidInput("blinding", "has a value of the wrong kind")
        plan = TrialPlan(first, nights[0], nights[1], nights[2], nights[3], str(outcome), tuple(drawn),
                         str(created_at), stopped, bool(blinded), commitment,  # type: ignore[arg-type]
                         magnesium_bag, salt, unblinded_at)  # type: ignore[arg-type]
        check_plan(plan)
    except InvalidInput as err:
        return damaged(f"was changed outside magsleep ({err.field.lstrip('-')}: {err.message})")
    if plan.fingerprint != fingerprint:
        return damaged("no longer matches its fingerprint (it was changed outside magsleep)")
    return plan


def _whole(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("number of nights", "is not a whole number")
    return value


def read_trials(conn: sqlite3.Connection) -> list[TrialPlan | DamagedPlan]:
    """Every plan, oldest first; any that no longer checks out as a DamagedPlan."""
    return [plan_from_columns(*row) for row in conn.execute(f"SELECT {TRIAL_COLUMNS} FROM trial ORDER BY id")]


def read_trial(conn: sqlite3.Connection) -> TrialPlan | DamagedPlan | None:
    """The current plan: the open one (at most one, by the schema), else the newest. An imported
    plan, stopped, never hides the one that is running."""
    row = conn.execute(f"SELECT {TRIAL_COLUMNS} FROM trial ORDER BY stopped_at IS NULL DESC, id DESC "
                       "LIMIT 1").fetchone()
    return None if row is None else plan_from_columns(*row)


def read_last_dose(conn: sqlite3.Connection, night: date) -> DoseRecord | None:
    """The latest dose logged for a night before `night`."""
    row = conn.execute(
        "SELECT n.date, d.id, d.taken_at, d.form, d.amount_mg, d.amount_is, d.percent, d.elemental_mg, d.note "
        "FROM dose d JOIN night n ON n.id = d.night_id WHERE n.date < ? ORDER BY n.date DESC, d.taken_at DESC, "
        "d.id DESC LIMIT 1", (night.isoformat(),)).fetchone()
    return None if row is None else dose_from_columns(date.fromisoformat(row[0]), *row[1:])


def read_usual_bed(conn: sqlite3.Connection, night: date) -> str | None:
    """The median bedtime of the last 14 nights logged before `night` (minutes from noon, so
    midnight does not wrap); None before any."""
    rows = conn.execute("SELECT bed FROM night WHERE date < ? AND bed IS NOT NULL ORDER BY date DESC LIMIT ?",
                        (night.isoformat(), USUAL_NIGHTS)).fetchall()
    return usual_clock([datetime.fromisoformat(bed) for (bed,) in rows])


def read_tonight(conn: sqlite3.Connection, night: date, settings: Settings | None = None) -> TonightView:
    doses = read_doses(conn, night)
    plan = read_trial(conn)
    return TonightView(
        night=night,
        checklist=tuple(night_checklist(conn, night, doses, plan)),
        doses=tuple(doses),
        recent_totals=tuple(read_recent_totals(conn, night)),
        settings=settings or read_settings(conn),
        trial=plan,
        last_dose=read_last_dose(conn, night),
        usual_bed=read_usual_bed(conn, night),
    )


class OtherVersion(StoreError):
    """A database file whose schema is not this version's (`Store.open` migrates or refuses it)."""

    def __init__(self, message: str, *, newer: bool) -> None:
        super().__init__(message)
        self.newer = newer
        """Written by a newer magsleep, which this one cannot read (an older file is upgraded on open)."""


def read_only_snapshot(path: Path) -> sqlite3.Connection:
    """A read-only connection to a current database file, inside one read transaction (one
    snapshot for every query); raises NotMagsleep for a file that is not magsleep's (known from
    its header, before SQLite opens it), OtherVersion for another schema, sqlite3.Error when the
    file cannot be read. Creates and writes nothing."""
    marked = identify(path)
    if marked is not None and marked > CURRENT_VERSION:  # known from the header: SQLite would leave -shm
        raise OtherVersion(f"{path} is at schema {marked}, this magsleep knows {CURRENT_VERSION}", newer=True)
    conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=1.0)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != CURRENT_VERSION:
            raise OtherVersion(f"{path} is at schema {version}, this magsleep knows {CURRENT_VERSION}",
                               newer=version > CURRENT_VERSION)
        conn.execute("BEGIN")
    except BaseException:
        conn.close()
        raise
    return conn


def tonight_at(conn: sqlite3.Connection, now: datetime) -> TonightView:
    """Tonight as of `now`, by the rollover hour stored in the file's settings."""
    settings = read_settings(conn)
    return read_tonight(conn, night_of(now, settings.rollover_hour), settings)


def peek_tonight(path: Path, now: datetime) -> TonightView | None:
    """Tonight from an existing, current database file, read-only; None when it is not one.

    A first look only: `Store.open` still checks, migrates and opens the file, and says what
    is wrong with one that it refuses.
    """
    if not path.is_file():
        return None
    try:
        with closing(read_only_snapshot(path)) as conn:
            return tonight_at(conn, now)
    except (sqlite3.Error, ValueError, StoreError):
        return None
