"""File-level care: checks before opening, private modes, and every file magsleep writes.

This is health data: the directory magsleep creates is 0700 and the database, its -wal/-shm
files, backups, exports and reports are 0600. Backups use SQLite's online backup API, never a
file copy of a live database. Every output file is complete or absent (a temporary file beside
it, flushed, then renamed or linked into place), symbolic links are refused rather than
followed, and a file someone made read-only is neither written nor chmod-ed.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
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


# Primary result codes that say the file could not be reached, not that it is damaged:
# PERM 3, BUSY 5, LOCKED 6, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14, AUTH 23 (extended codes
# such as SQLITE_READONLY_DIRECTORY carry the primary one in their low byte).
_CANNOT_OPEN = {3, 5, 6, 8, 10, 13, 14, 23}


def check_existing(path: Path) -> int | None:
    """Refuse a file that is not a healthy SQLite database, without writing to it.

    Returns the file's schema version, or None when there is no file yet. A file that cannot be
    opened (permissions, a read-only folder, a lock) is not called damaged: moving it aside
    would throw away good data.
    """
    if not os.path.lexists(path):
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
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        if (getattr(err, "sqlite_errorcode", 0) or 0) & 0xFF in _CANNOT_OPEN:
            raise StoreError(f"cannot open {path}: {err}{_access_hint(path)}. "
                             "The file itself looks fine and was left as it is.") from None
        raise StoreError(f"{path} is damaged ({err}); it was left as it is. "
                         "Restore a backup, or move it aside to start afresh.") from None
    if result != "ok":
        raise StoreError(f"{path} failed its integrity check ({result}); it was left as it is. "
                         "Restore a backup, or move it aside to start afresh.")
    return version


def read_only_uri(path: Path) -> str:
    """A URI that opens exactly `path` read-only (as_uri percent-encodes %, ? and #)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _access_hint(path: Path) -> str:
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return f" (the folder {folder} is not writable, and SQLite needs to keep its lock files there)"
    if not os.access(path, os.R_OK):
        return " (you may not read this file)"
    return ""


def is_read_only(path: Path) -> bool:
    """True when the file's owner-write bit is off, or this user may not write it.

    The mode bit counts even for root, who may write anything: a file someone made read-only
    is respected.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    return not mode & stat.S_IWUSR or not os.access(path, os.W_OK)


def check_writable(path: Path) -> None:
    """Refuse, before anything is written, a database file or folder that may not be written."""
    if path.exists() and is_read_only(path):
        mode = stat.S_IMODE(path.stat().st_mode)
        raise StoreError(f"{path} is read-only (mode {mode:04o}); magsleep will not change it, and "
                         "nothing was saved. Make it writable (chmod u+w) to log to it.")
    folder = path.parent
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"the folder {folder} is not writable, and SQLite needs to keep its journal "
                         "there; nothing was saved.")


def make_private(path: Path) -> None:
    """Set the database and its side files to 0600, where they are ours to change."""
    for candidate in [path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)]:
        try:
            info = os.lstat(candidate)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() \
                or stat.S_IMODE(info.st_mode) == 0o600 or not info.st_mode & stat.S_IWUSR:
            continue  # another owner's, a link, already private, or read-only on purpose
        try:
            os.chmod(candidate, 0o600)
        except OSError:
            pass  # privacy is best effort here; the write itself reports real failures


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_destination(dest: Path, *, replace: bool) -> None:
    folder = dest.parent
    if not folder.is_dir():
        raise StoreError(f"the folder {folder} does not exist; create it first.")
    if dest.is_symlink():
        raise StoreError(f"{dest} is a symbolic link; magsleep does not write through links.")
    if os.path.lexists(dest):
        if not replace:
            raise StoreError(f"{dest} already exists; choose another name.")
        if not dest.is_file():
            raise StoreError(f"{dest} is not a regular file.")


def _temp_beside(dest: Path) -> tuple[Path, int]:
    """A new 0600 file in the destination's folder, never following a link."""
    for _ in range(100):
        temp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        except OSError as err:
            raise StoreError(f"cannot write in {dest.parent}: {err.strerror or err}.") from None
        os.fchmod(fd, 0o600)  # whatever the umask
        return temp, fd
    raise StoreError(f"cannot make a temporary file in {dest.parent}.")


def write_private(dest: Path, text: str) -> Path:
    """Write `text` to `dest` complete or not at all, 0600 (it is health data).

    A new temporary file in the same folder is written, flushed to disk and renamed over `dest`:
    a crash leaves the old file or the new one, never half of one. A symbolic link at `dest` is
    refused rather than followed; a file that was there (of any mode) is replaced by a new one.
    """
    dest = Path(dest)
    _check_destination(dest, replace=True)
    temp, fd = _temp_beside(dest)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, dest)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {dest}: {err.strerror or err}; nothing was written.") from None
    _fsync_folder(dest.parent)
    return dest


def online_backup(source: Path | sqlite3.Connection, dest: Path) -> Path:
    """Copy a live database with the online backup API: complete and checked, or absent.

    The copy is made in a temporary 0600 file beside `dest`, checked (quick_check), flushed to
    disk, then linked to `dest` (which fails rather than replace a file that appeared meanwhile).
    Only that temporary file is ever removed on failure.
    """
    dest = Path(dest)
    _check_destination(dest, replace=False)
    temp, fd = _temp_beside(dest)
    os.close(fd)
    own = not isinstance(source, sqlite3.Connection)
    try:
        src = source if isinstance(source, sqlite3.Connection) else sqlite3.connect(source)
        try:
            out = sqlite3.connect(temp)
            try:
                src.backup(out)
                check = out.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                out.close()
        finally:
            if own:
                src.close()
        if check != "ok":
            raise StoreError(f"backup to {dest} failed its check ({check}); nothing was kept.")
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.link(temp, dest)
    except (sqlite3.Error, OSError) as err:
        raise StoreError(f"backup to {dest} failed: {getattr(err, 'strerror', None) or err}; "
                         "nothing was kept.") from None
    finally:
        for leftover in (temp, *(Path(f"{temp}{suffix}") for suffix in (*SIDE_FILES, "-journal"))):
            leftover.unlink(missing_ok=True)
    _fsync_folder(dest.parent)
    return dest


def backup_name(path: Path, label: str, now: datetime) -> Path:
    """A backup file next to the database, named by what it is for and when it was taken."""
    return path.with_name(f"{path.stem}-{label}-{now:%Y%m%d-%H%M%S}{path.suffix or '.db'}")
