"""Opening the database: checks, migrations, the engine and its sessions.

Every connection sets journal_mode=WAL, synchronous=FULL, foreign_keys=ON and
busy_timeout=5000. Writes begin with BEGIN IMMEDIATE so two writers queue on the busy timeout
instead of failing halfway through a transaction; reads use a plain deferred BEGIN.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine

from magsleep.store import files, migrations
from magsleep.store.errors import StoreError
from magsleep.store.seed import needs_seeding, seed_defaults

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)
_WRITE = "magsleep_write"


def _configure(conn: sqlite3.Connection, *, read_only: bool = False) -> None:
    for pragma in PRAGMAS:
        if read_only and "journal_mode" in pragma:
            continue  # changing the journal mode is a write
        conn.execute(pragma)


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A sqlite3 connection to exactly `path`: never through a URL that would decode %41 or
    stop at '?' (SQLAlchemy's sqlite:/// does both)."""
    if read_only:
        return sqlite3.connect(files.read_only_uri(path), uri=True, check_same_thread=False, timeout=5.0)
    return sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)


def make_engine(path: Path, *, read_only: bool = False) -> Engine:
    """A configured engine for an existing, migrated database file."""
    engine = create_engine("sqlite://", creator=lambda: connect(path, read_only=read_only),
                           poolclass=QueuePool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours to issue.
        dbapi_conn.isolation_level = None
        _configure(dbapi_conn, read_only=read_only)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Store:
    """One open magsleep database: its path, engine and session helpers."""

    def __init__(self, path: Path, engine: Engine, *, read_only: bool = False) -> None:
        self.path = path
        self.engine = engine
        self.read_only = read_only
        """Opened only to read: nothing is written, created or chmod-ed."""
        self._writer = engine.execution_options(**{_WRITE: True})

    @classmethod
    def open(cls, path: Path | str, *, private_dir: Path | None = None,
             now: datetime | None = None, read_only: bool = False) -> Store:
        """Check, create or migrate the file at `path`, and open it.

        With `read_only` (commands that only read) a missing file is an error, nothing is
        created or chmod-ed, and the file is opened read-only; only a schema upgrade, when one
        is needed, writes. Raises StoreError with a message for a person; a file that is
        refused is not written.
        """
        path = Path(path).expanduser()
        try:
            return cls._open(path, private_dir=private_dir, now=now, read_only=read_only)
        except OSError as err:  # a folder on the way we may not enter, a vanished file...
            raise StoreError(f"cannot open {path}: {err.strerror or err}.") from None

    @classmethod
    def _open(cls, path: Path, *, private_dir: Path | None, now: datetime | None, read_only: bool) -> Store:
        if read_only:
            if not os.path.lexists(path):
                raise StoreError(f"there is no database at {path}; nothing was created.")
            version = files.check_existing(path)
            if version is not None and version < migrations.CURRENT_VERSION:
                files.check_writable(path)  # an old schema is upgraded first (with a backup)
                cls.open(path, private_dir=private_dir, now=now).close()
            elif version is not None:
                migrations.check_version(version, path)
            return cls(path, make_engine(path, read_only=True), read_only=True)
        files.prepare_directory(path, private_dir=private_dir)
        version = files.check_existing(path)
        if version is not None:
            migrations.check_version(version, path)
        files.check_writable(path)
        stamp = now or datetime.now()
        if version is None:
            # Create the file private before SQLite writes anything to it.
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except OSError as err:
                raise StoreError(f"cannot create {path}: {err.strerror or err}.") from None
        try:
            conn = connect(path)
            conn.isolation_level = None  # autocommit: the migrations issue their own BEGIN
        except sqlite3.Error as err:
            raise StoreError(f"cannot open {path}: {err}") from None
        try:
            _configure(conn)
            files.make_private(path)
            migrations.migrate(
                conn, path,
                lambda label: files.online_backup(conn, files.backup_name(path, label, stamp)),
            )
        except sqlite3.Error as err:
            raise StoreError(f"cannot prepare {path}: {err}") from None
        finally:
            conn.close()
        files.make_private(path)
        store = cls(path, make_engine(path))

        with store.reading() as session:
            seed = needs_seeding(session=session)
        if seed:  # a write transaction only on the first run
            with store.writing() as session:
                seed_defaults(session=session)
        files.make_private(path)
        return store

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; nothing it does is committed."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except DBAPIError as err:
            raise StoreError(f"could not read {self.path}: {err.orig}") from None

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose work commits as one BEGIN IMMEDIATE transaction, or not at all."""
        if self.read_only:
            raise StoreError(f"{self.path} was opened only to read; nothing was saved.")
        try:
            with Session(self._writer, expire_on_commit=False) as session:
                with session.begin():
                    yield session
        except DBAPIError as err:
            raise StoreError(f"could not save to {self.path}: {err.orig}. "
                             "Nothing from this change was written.") from None

    def backup(self, dest: Path) -> Path:
        """An online backup of the live database to `dest`."""
        raw = self.engine.raw_connection()
        try:
            connection = raw.driver_connection
            if not isinstance(connection, sqlite3.Connection):
                raise StoreError("the database connection is not SQLite's")
            return files.online_backup(connection, dest)
        finally:
            raw.close()

    def close(self) -> None:
        self.engine.dispose()
        if not self.read_only:
            files.make_private(self.path)
