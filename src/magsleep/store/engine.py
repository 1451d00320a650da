"""Opening the database: checks, migrations, the engine and its sessions.

Every connection sets journal_mode=WAL, synchronous=FULL, foreign_keys=ON and a busy timeout
of BUSY_TIMEOUT_S. Writes begin with BEGIN IMMEDIATE so writers queue on the busy timeout
instead of failing halfway through a transaction; reads use a plain deferred BEGIN. A file that
is not magsleep's is refused before anything is written, created, chmod-ed or locked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import configure_mappers
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine

from magsleep.store import files, migrations
from magsleep.store.errors import StoreError
from magsleep.store.seed import needs_seeding, seed_defaults

# How long a writer waits for the write lock. A write holds it for milliseconds, but 40 `magsleep
# dose` at once on a busy 2-core machine queue for seconds (5 s was not enough: issue 17), and
# SQLite's busy handler polls rather than queues, so one writer can wait several turns.
BUSY_TIMEOUT_S = 60.0
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}",
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
        return sqlite3.connect(files.read_only_uri(path), uri=True, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_S)
    return sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_S)


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
        # Set up the ORM's mappers now: done by the first query, it took the first write's lock with it.
        configure_mappers()

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
        # First of all, whose file is it: another program's is left as it is, whatever the command.
        version = files.check_existing(path)
        if read_only:
            if version is None:
                raise StoreError(f"there is no database at {path}; nothing was created.")
            if version < migrations.CURRENT_VERSION:
                files.check_writable(path)  # an old schema is upgraded first (with a backup)
                cls.open(path, private_dir=private_dir, now=now).close()
            else:
                migrations.check_version(version, path)
            return cls(path, make_engine(path, read_only=True), read_only=True)
        files.prepare_directory(path, private_dir=private_dir)
        if version is not None:
            migrations.check_version(version, path)
        files.check_writable(path)
        stamp = now or datetime.now()
        if version is None:
            # Built beside it and linked into place: a new file appears whole or not at all, and a
            # process that loses the race to make it opens the winner's.
            files.create_database(path, cls._build_new)
        try:
            conn = connect(path)
            conn.isolation_level = None  # autocommit: the migrations issue their own BEGIN
        except sqlite3.Error as err:
            raise StoreError(f"cannot open {path}: {err}") from None
        try:
            _configure(conn, read_only=True)  # all but the journal mode: a failed upgrade changes nothing
            # The backup reads through a connection of its own: `conn` holds the write lock by then.
            migrations.migrate(conn, path, lambda label: files.backup_before_upgrade(path, label, stamp))
            _configure(conn)
        except sqlite3.Error as err:
            raise StoreError(f"cannot prepare {path}: {err}") from None
        finally:
            conn.close()
        files.make_private(path)
        store = cls(path, make_engine(path))

        with store.reading() as session:
            seed = needs_seeding(session=session)
        if seed:  # a write transaction only when a file has no checklist at all
            with store.writing() as session:
                seed_defaults(session=session)
        files.make_private(path)
        return store

    @classmethod
    def _build_new(cls, temp: Path) -> None:
        """Make a complete new database (schema, mark, default checklist) in the file `temp`."""
        try:
            conn = connect(temp)
            conn.isolation_level = None
            try:
                _configure(conn)
                migrations.migrate(conn, temp, lambda label: temp)  # from version 0: nothing to back up
            finally:
                conn.close()
        except sqlite3.Error as err:
            raise StoreError(f"cannot create a database in {temp.parent}: {err}") from None
        store = cls(temp, make_engine(temp))
        try:
            with store.writing() as session:
                seed_defaults(session=session)
        finally:
            store.engine.dispose()  # the last connection checkpoints and removes its -wal

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
