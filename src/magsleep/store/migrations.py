"""Schema versions, kept in ``PRAGMA user_version``.

Each step runs in one transaction (SQLite DDL is transactional) after an online backup of the
existing file, so a failure halfway leaves the old schema and a copy. A database newer than
this code is refused before anything is written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from magsleep.store.errors import StoreError

# magsleep's mark in the SQLite header (`PRAGMA application_id`, offset 68): "MgSl". A file made
# before the mark existed (schema 1 to 3, application_id 0) is recognised by exactly these tables
# (store.files.identify) and marked in its first write transaction; any other file is not ours.
APPLICATION_ID = int.from_bytes(b"MgSl", "big")
_V1_TABLES = frozenset({"night", "dose", "routine_item", "routine_check", "symptom", "setting"})
# Schema 3 (one open trial plan: an index, no new table) came out briefly before the mark.
# Files from schema 4 on are always marked (application_id): no unmarked file of those exists.
UNMARKED_TABLES = {1: _V1_TABLES, 2: _V1_TABLES | {"trial"}, 3: _V1_TABLES | {"trial"}}

SCHEMA_V1 = """
CREATE TABLE night (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL UNIQUE,
    bed TEXT, tried TEXT, latency_min INTEGER, awakenings INTEGER, waso_min INTEGER,
    final TEXT, up TEXT, quality INTEGER, rested INTEGER, note TEXT
);
CREATE TABLE dose (
    id INTEGER PRIMARY KEY,
    night_id INTEGER NOT NULL REFERENCES night(id) ON DELETE CASCADE,
    taken_at TEXT NOT NULL,
    form TEXT NOT NULL,
    amount_mg FLOAT NOT NULL,
    amount_is TEXT NOT NULL,
    percent FLOAT,
    elemental_mg FLOAT NOT NULL,
    note TEXT
);
CREATE INDEX ix_dose_night_id ON dose(night_id);
CREATE TABLE routine_item (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1
);
CREATE TABLE routine_check (
    id INTEGER PRIMARY KEY,
    night_id INTEGER NOT NULL REFERENCES night(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES routine_item(id) ON DELETE CASCADE,
    done BOOLEAN NOT NULL,
    at TEXT,
    UNIQUE (night_id, item_id)
);
CREATE INDEX ix_routine_check_night_id ON routine_check(night_id);
CREATE TABLE symptom (
    id INTEGER PRIMARY KEY,
    night_id INTEGER NOT NULL REFERENCES night(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    severity INTEGER NOT NULL
);
CREATE INDEX ix_symptom_night_id ON symptom(night_id);
CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

Step = Callable[[sqlite3.Connection], None]


def _v1(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA_V1.split(";"):
        if statement.strip():
            conn.execute(statement)


SCHEMA_V2 = """
CREATE TABLE trial (
    id INTEGER PRIMARY KEY,
    start TEXT NOT NULL,
    baseline_nights INTEGER NOT NULL,
    period_nights INTEGER NOT NULL,
    pairs INTEGER NOT NULL,
    washout_nights INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    orders TEXT NOT NULL,
    created_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    stopped_at TEXT
)
"""


def _v2(conn: sqlite3.Connection) -> None:
    """The randomised trial's plans (one row each, never changed but for the stop), and the night
    each checklist item was added (adherence counts an item from then on; NULL: from the start)."""
    conn.execute(SCHEMA_V2)
    conn.execute("ALTER TABLE routine_item ADD COLUMN created_on TEXT")


ONE_OPEN_TRIAL = ("CREATE UNIQUE INDEX trial_one_open ON trial((stopped_at IS NULL)) "
                  "WHERE stopped_at IS NULL")


def _one_open_trial(conn: sqlite3.Connection) -> None:
    """At most one open trial plan (stopped_at NULL), held by the schema. An import could once
    add a second: all but the newest open one are closed now, at this moment."""
    conn.execute("UPDATE trial SET stopped_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') "
                 "WHERE stopped_at IS NULL AND id < (SELECT max(id) FROM trial WHERE stopped_at IS NULL)")
    conn.execute(ONE_OPEN_TRIAL)


TRIAL_CHANGES = """
CREATE TABLE trial_change (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trial(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    pairs_before INTEGER NOT NULL,
    fingerprint_before TEXT NOT NULL
)
"""


def _trial_changes(conn: sqlite3.Connection) -> None:
    """A plan's history: each extension (`trial extend`), with the pairs and fingerprint before it."""
    conn.execute(TRIAL_CHANGES)


def _night_source(conn: sqlite3.Connection) -> None:
    """Where an imported night came from: the tracker's format, its own id for the record (so a
    second import of the same export adds nothing) and the device it names. NULL: logged here."""
    conn.execute("ALTER TABLE night ADD COLUMN source TEXT")
    conn.execute("ALTER TABLE night ADD COLUMN source_id TEXT")
    conn.execute("ALTER TABLE night ADD COLUMN source_device TEXT")
    conn.execute("CREATE UNIQUE INDEX night_source_id ON night(source, source_id) WHERE source_id IS NOT NULL")


BLINDED_TRIAL = """
CREATE TABLE trial_guess (
    id INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trial(id) ON DELETE CASCADE,
    night TEXT NOT NULL,
    guess TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (trial_id, night)
)
"""


def _blinded_trial(conn: sqlite3.Connection) -> None:
    """The blinded trial (issue 23): a plan's bags-in-orders flag and its commitment to the sealed
    mapping, the unblinding (the bag that held magnesium and the sheet's salt, stored only once the
    sheet checked out), and the nightly guesses of the bag."""
    for column in ("blinded INTEGER NOT NULL DEFAULT 0", "commitment TEXT", "magnesium_bag TEXT", "salt TEXT",
                   "unblinded_at TEXT"):
        conn.execute(f"ALTER TABLE trial ADD COLUMN {column}")
    conn.execute(BLINDED_TRIAL)


# MIGRATIONS[n] takes a database from version n to n + 1.
MIGRATIONS: list[Step] = [_v1, _v2, _one_open_trial, _trial_changes, _night_source, _blinded_trial]
CURRENT_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def check_version(version: int, path: Path) -> None:
    if version > CURRENT_VERSION:
        raise StoreError(
            f"{path} was written by a newer magsleep (schema {version}); this magsleep is older (it knows "
            f"schema {CURRENT_VERSION}) and cannot read it. Upgrade magsleep. The file was not changed."
        )


def application_id(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA application_id").fetchone()[0]


def migrate(conn: sqlite3.Connection, path: Path, backup: Callable[[str], Path]) -> int:
    """Bring the schema up to date and mark the file as magsleep's; returns the version it started from.

    `conn` is a plain sqlite3 connection in autocommit mode; `backup(label)` makes an online
    backup of the file before a database that holds data is changed.
    """
    start = user_version(conn)
    check_version(start, path)
    if start == CURRENT_VERSION and application_id(conn) == APPLICATION_ID:
        return start
    for version in range(start, CURRENT_VERSION):
        _step(conn, path, version, backup if version == start > 0 else None)
    if application_id(conn) != APPLICATION_ID:  # a file from before the mark, already current
        _step(conn, path, CURRENT_VERSION, None)
    return start


def _step(conn: sqlite3.Connection, path: Path, version: int, backup: Callable[[str], Path] | None) -> None:
    """Take the file from `version` to the next (if it is still there) in one transaction, and mark it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another process may have upgraded it meanwhile.
        found = user_version(conn)
        check_version(found, path)
        if found == version < CURRENT_VERSION:
            if backup is not None:  # under the lock: a copy of exactly what this step changes
                backup(f"before-v{version + 1}")
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        # Marked with the change itself: an unmarked file is recognised only at schema 1 to 3.
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
