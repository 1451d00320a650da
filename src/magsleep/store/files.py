"""File-level care for the database: checks before opening, private modes, online backups.

This is health data: the directory magsleep creates is 0700 and the database, its -wal/-shm
files and backups are 0600. Backups use SQLite's online backup API, never a file copy of a
live database.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from magsleep.store.errors import StoreError

SQLITE_HEADER = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm")


def prepare_directory(path: Path, *, private_dir: Path | None = None) -> None:
    """Make sure the database's directory exists; directories made here are 0700.

    `private_dir` (magsleep's own data directory) is set to 0700 even when it already existed;
    a folder the person chose is left with the modes they gave it.
    """
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file.")
    parent = path.parent
    missing = []
    probe = parent
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    if not probe.is_dir():
        raise StoreError(f"cannot create {parent}: {probe} is a file, not a directory.")
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)
    except OSError as err:
        raise StoreError(f"cannot create {parent}: {err.strerror or err}.") from None
    if private_dir is not None and parent.resolve() == private_dir.resolve():
        os.chmod(parent, 0o700)


def check_existing(path: Path) -> int | None:
    """Refuse a file that is not a healthy SQLite database, without writing to it.

    Returns the file's schema version, or None when there is no file yet.
    """
    if not path.exists():
        return None
    if not path.is_file():
        raise StoreError(f"{path} is not a regular file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as err:
        raise StoreError(f"cannot read {path}: {err.strerror or err}.") from None
    if not header:
        raise StoreError(f"{path} is an empty file, not a magsleep database; it was left as it is.")
    if header != SQLITE_HEADER:
        raise StoreError(f"{path} is not a SQLite database; it was left as it is.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise StoreError(f"{path} is damaged ({err}); it was left as it is. "
                         "Restore a backup, or move it aside to start afresh.") from None
    if result != "ok":
        raise StoreError(f"{path} failed its integrity check ({result}); it was left as it is. "
                         "Restore a backup, or move it aside to start afresh.")
    return version


def make_private(path: Path) -> None:
    """Set the database and its side files to 0600."""
    for candidate in [path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)]:
        try:
            os.chmod(candidate, 0o600)
        except FileNotFoundError:
            pass


def online_backup(source: Path | sqlite3.Connection, dest: Path) -> Path:
    """Copy a live database with the online backup API; the copy is 0600."""
    if dest.exists():
        raise StoreError(f"{dest} already exists; choose another name.")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"cannot create {dest.parent}: {err.strerror or err}.") from None
    own = not isinstance(source, sqlite3.Connection)
    src = sqlite3.connect(source) if own else source
    try:
        # Create the file private before any data reaches it.
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
        finally:
            out.close()
    except (sqlite3.Error, OSError) as err:
        dest.unlink(missing_ok=True)
        raise StoreError(f"backup to {dest} failed: {err}") from None
    finally:
        if own:
            src.close()
    os.chmod(dest, 0o600)
    return dest


def backup_name(path: Path, label: str, now: datetime) -> Path:
    """A backup file next to the database, named by what it is for and when it was taken."""
    return path.with_name(f"{path.stem}-{label}-{now:%Y%m%d-%H%M%S}{path.suffix or '.db'}")
