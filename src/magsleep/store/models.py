"""The tables. Their DDL of record is in `migrations.py`; these models must match it.

Moments are ISO 8601 text with the UTC offset in force (local wall clock plus offset), so a
duration across a daylight-saving change is computed from what was lived.
Table models skip pydantic validation: everything is checked in the domain first.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from magsleep.store.errors import StoreError


class Night(SQLModel, table=True):
    """One night, named by the evening's date; the diary answers stay null until logged."""

    __tablename__ = "night"

    id: int | None = Field(default=None, primary_key=True)
    date: str = Field(unique=True, index=True)  # YYYY-MM-DD of the evening
    bed: str | None = None
    tried: str | None = None
    latency_min: int | None = None
    awakenings: int | None = None
    waso_min: int | None = None
    final: str | None = None
    up: str | None = None
    quality: int | None = None
    rested: int | None = None
    note: str | None = None
    source: str | None = None  # the tracker format an imported night came from; None: logged here
    source_id: str | None = None  # the tracker's own id of the record
    source_device: str | None = None  # the device or app the file names ("Apple Watch")


class Dose(SQLModel, table=True):
    """A dose taken on a night: what was typed, and the elemental mg computed once."""

    __tablename__ = "dose"

    id: int | None = Field(default=None, primary_key=True)
    night_id: int = Field(foreign_key="night.id", index=True, ondelete="CASCADE")
    taken_at: str
    form: str
    amount_mg: float
    amount_is: str  # "elemental" | "compound"
    percent: float | None = None  # only for form "other"
    elemental_mg: float
    note: str | None = None


class RoutineItem(SQLModel, table=True):
    """A checklist item; deactivated items keep their history."""

    __tablename__ = "routine_item"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(unique=True)
    position: int
    active: bool = True
    created_on: str | None = None  # the night it was added; None: there from the start


class RoutineCheck(SQLModel, table=True):
    """Whether an item was done on a night."""

    __tablename__ = "routine_check"

    id: int | None = Field(default=None, primary_key=True)
    night_id: int = Field(foreign_key="night.id", index=True, ondelete="CASCADE")
    item_id: int = Field(foreign_key="routine_item.id", ondelete="CASCADE")
    done: bool
    at: str | None = None


class SymptomRow(SQLModel, table=True):
    """A side effect logged for a night."""

    __tablename__ = "symptom"

    id: int | None = Field(default=None, primary_key=True)
    night_id: int = Field(foreign_key="night.id", index=True, ondelete="CASCADE")
    kind: str
    severity: int


class Setting(SQLModel, table=True):
    """A key/value setting, stored as text."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class TrialRow(SQLModel, table=True):
    """A randomised trial's plan (domain.n_of_1.TrialPlan): fixed when made, only the stop changes."""

    __tablename__ = "trial"
    # At most one open plan (migrations.ONE_OPEN_TRIAL): an expression index, as SQLite has it.
    __table_args__ = (Index("trial_one_open", text("(stopped_at IS NULL)"), unique=True,
                            sqlite_where=text("stopped_at IS NULL")),)

    id: int | None = Field(default=None, primary_key=True)
    start: str
    baseline_nights: int
    period_nights: int
    pairs: int
    washout_nights: int
    outcome: str
    orders: str  # JSON list of "on-off" / "off-on"
    created_at: str
    fingerprint: str  # SHA-256 of the plan's canonical JSON, checked on every read
    stopped_at: str | None = None
    blinded: bool = False  # orders in bags "A-B"/"B-A" (domain.blinding)
    commitment: str | None = None  # SHA-256(salt || mapping); the salt and mapping are only on the sheet
    magnesium_bag: str | None = None  # set when unblinded, with the salt that checks the commitment
    salt: str | None = None
    unblinded_at: str | None = None


class TrialGuess(SQLModel, table=True):
    """A nightly guess of a blinded trial's bag ("A"/"B"): the blinding check, shown only at the end."""

    __tablename__ = "trial_guess"
    __table_args__ = (UniqueConstraint("trial_id", "night"),)

    id: int | None = Field(default=None, primary_key=True)
    trial_id: int = Field(foreign_key="trial.id", ondelete="CASCADE")
    night: str
    guess: str
    at: str


class TrialChange(SQLModel, table=True):
    """One extension of a trial plan: when, and the pairs and fingerprint the plan had before."""

    __tablename__ = "trial_change"

    id: int | None = Field(default=None, primary_key=True)
    trial_id: int = Field(foreign_key="trial.id", ondelete="CASCADE")
    at: str
    pairs_before: int
    fingerprint_before: str


class Stored(Protocol):
    id: int | None


def row_id(row: Stored) -> int:
    """A row's primary key: set once the row is flushed (rows read back always have one)."""
    if row.id is None:
        raise StoreError("a row was used before it was stored")
    return row.id
