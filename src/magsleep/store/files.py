"""File-level care: checks before opening, private modes, and every file magsleep writes.

This is health data: the directory magsleep creates is 0700 and the database, its -wal/-shm
files, backups, exports and reports are 0600. Backups use SQLite's online backup API, never a
file copy of a live database. Every output file is complete or absent (a temporary file beside
it, flushed, then renamed or linked into place), symbolic links are refused rather than
followed, and a file someone made read-only is neither written nor chmod-ed.

magsleep changes only its own files: `identify` reads the SQLite header as plain bytes (SQLite
itself would lock the file and may leave -wal/-shm files beside it), and a new database appears
whole, marked and seeded, or not at all (`create_database`).
"""

from __future__ import annotations

import errno
import glob
import os
import secrets
import sqlite3
import stat
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from magsleep.store.errors import NotMagsleep, StoreError
from magsleep.store.migrations import APPLICATION_ID, CURRENT_VERSION, UNMARKED_TABLES, check_version

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
            folder.mkdir(mode=0o700, exist_ok=True)  # another magsleep may make it at the same moment
            os.chmod(folder, 0o700)
    except OSError as err:
        raise StoreError(f"cannot create {parent}: {err.strerror or err}.") from None
    if private_dir is not None and parent.resolve() == private_dir.resolve():
        os.chmod(parent, 0o700)


# Primary result codes that say the file could not be reached, not that it is damaged:
# PERM 3, BUSY 5, LOCKED 6, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14, AUTH 23 (extended codes
# such as SQLITE_READONLY_DIRECTORY carry the primary one in their low byte).
_CANNOT_OPEN = {3, 5, 6, 8, 10, 13, 14, 23}


def identify(path: Path) -> int | None:
    """The schema version in the header of magsleep's file at `path`; None when there is no file.

    Raises NotMagsleep for anything that is not magsleep's database, having written, created and
    locked nothing: the header is read as bytes (https://www.sqlite.org/fileformat.html: user_version
    at offset 60, application_id at 68, big-endian), and only an unmarked file is opened, immutable
    (no lock, no -wal/-shm), to see whether its tables are those of an old schema.
    """
    # An old unmarked magsleep file that another process is upgrading (its -wal or journal beside
    # it) can be read half-checkpointed without a lock: look again, for a moment, before refusing.
    # Only a file whose header claims an old magsleep schema waits; anyone else's is refused at once.
    for _ in range(UPGRADE_PATIENCE):
        try:
            return _identify(path)
        except NotMagsleep:
            if not (_claims_old_schema(path)
                    and any(os.path.lexists(f"{path}{side}") for side in (*SIDE_FILES, "-journal"))):
                raise
            time.sleep(0.2)
    return _identify(path)


UPGRADE_PATIENCE = 15  # looks, 0.2 s apart


def _header(path: Path) -> bytes:
    """The first 100 bytes: SQLite's database header."""
    with path.open("rb") as handle:
        return handle.read(100)


def _claims_old_schema(path: Path) -> bool:
    try:
        header = _header(path)
    except OSError:
        return False
    return len(header) == 100 and int.from_bytes(header[68:72], "big") == 0 \
        and int.from_bytes(header[60:64], "big") in UNMARKED_TABLES


def _identify(path: Path) -> int | None:
    if not os.path.lexists(path):
        return None
    header = _sqlite_header(path)
    version = int.from_bytes(header[60:64], "big")
    mark = int.from_bytes(header[68:72], "big")
    if mark == APPLICATION_ID:
        return version
    tables = _tables_of_unmarked(path) if mark == 0 else None
    if tables is not None and tables == UNMARKED_TABLES.get(version):
        return version  # made before the mark: marked on its first write
    if mark == 0 and tables is None:
        raise NotMagsleep(f"{path} is damaged or not a complete SQLite database; it was left as it is. "
                          "Restore a backup, or move it aside to start afresh.")
    if tables == frozenset() and version == 0:
        raise NotMagsleep(f"{path} is an empty SQLite database that magsleep did not make; it was left as "
                          "it is. Remove it to start afresh there, or choose another file.")
    raise NotMagsleep(f"{path} is another program's SQLite database, not magsleep's; it was left as it is. "
                      "Check the file given with --db or MAGSLEEP_DB.")


def _sqlite_header(path: Path) -> bytes:
    """The first 100 bytes of an existing file that claims to be SQLite; refused with one line otherwise."""
    if path.is_dir():
        raise NotMagsleep(f"{path} is a directory, not a database file.")
    if not path.is_file():
        raise NotMagsleep(f"{path} is not a regular file.")
    try:
        header = _header(path)
    except OSError as err:
        raise StoreError(f"cannot read {path}: {err.strerror or err}.") from None
    if not header:
        # magsleep never leaves one (see create_database): someone else's, or a file made by hand.
        raise NotMagsleep(f"{path} is an empty file, not a magsleep database; it was left as it is.")
    if not header.startswith(SQLITE_HEADER):
        raise NotMagsleep(f"{path} is not a SQLite database; it was left as it is.")
    if len(header) < 100:
        raise NotMagsleep(f"{path} is cut short inside its SQLite header; it was left as it is.")
    return header


def _tables_of_unmarked(path: Path) -> frozenset[str] | None:
    """The table names in an unmarked SQLite file, read without a lock or side files; None if unreadable.

    `immutable` ignores a -wal file: a table only there is not seen (a file is refused, never changed).
    """
    try:
        conn = sqlite3.connect(f"{read_only_uri(path)}&immutable=1", uri=True)
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return frozenset(name for (name,) in rows if not name.startswith("sqlite_"))


def check_existing(path: Path) -> int | None:
    """Refuse a file that is not magsleep's or not a healthy SQLite database, without writing to it.

    Returns the file's schema version, or None when there is no file yet. A file that cannot be
    opened (permissions, a read-only folder, a lock) is not called damaged: moving it aside
    would throw away good data.
    """
    marked = identify(path)
    if marked is None:
        return None
    if marked > CURRENT_VERSION:  # refused from the header alone: SQLite would leave -wal/-shm files
        check_version(marked, path)
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
        _drop_temp(temp)
    _fsync_folder(dest.parent)
    return dest


def _drop_temp(temp: Path) -> None:
    """Remove a temporary database file of magsleep's own, with any side files SQLite made for it."""
    for leftover in (temp, *(Path(f"{temp}{suffix}") for suffix in (*SIDE_FILES, "-journal"))):
        leftover.unlink(missing_ok=True)


def backup_name(path: Path, label: str, now: datetime) -> Path:
    """A backup file next to the database, named by what it is for and when it was taken."""
    return path.with_name(f"{path.stem}-{label}-{now:%Y%m%d-%H%M%S}{path.suffix or '.db'}")


# What os.link raises where a file system has no hard links (FAT, some network and FUSE mounts).
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV}


def create_database(path: Path, build: Callable[[Path], None]) -> bool:
    """Make a new database at `path` whole or not at all; False when another process made it first.

    `build(temp)` makes the database in a 0600 temporary file beside `path`; the file is flushed
    and then linked into place, which fails rather than replace a file that appeared meanwhile.
    So no process ever sees a half-made database (`magsleep dose` run several times at once on a
    new file: before, the others found it empty), and the loser's file is simply dropped.
    """
    temp, fd = _temp_beside(path)
    os.close(fd)
    try:
        build(temp)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError as err:
            if err.errno not in _NO_HARD_LINKS:
                raise
            # A file system without hard links: a rename, after a look (a narrow race, never a half file).
            if os.path.lexists(path):
                return False
            os.rename(temp, path)
    except FileExistsError:
        return False
    except OSError as err:
        raise StoreError(f"cannot create {path}: {err.strerror or err}; nothing was created.") from None
    finally:
        _drop_temp(temp)
    _fsync_folder(path.parent)
    return True


def backup_before_upgrade(path: Path, label: str, now: datetime) -> Path:
    """An online backup of `path` before a schema upgrade, unless the same bytes are already kept.

    It reads through a new connection, so it can run while the upgrade holds the write lock (what
    it copies is then exactly what the upgrade starts from).

    An upgrade that fails changes nothing, so the next attempt would copy the same database
    again, and two processes upgrading at once copy it twice: of identical copies only the first
    by name is kept (the same one whichever process looks), so there is one backup per state.
    """
    suffix = path.suffix or ".db"
    made = None
    for n in range(1, 100):  # another process may take a name in the same second
        dest = backup_name(path, label, now)
        dest = dest if n == 1 else dest.with_name(f"{path.stem}-{label}-{now:%Y%m%d-%H%M%S}-{n}{suffix}")
        if os.path.lexists(dest):
            continue
        try:
            made = online_backup(path, dest)
            break
        except StoreError:
            if not os.path.lexists(dest):
                raise
    if made is None:
        raise StoreError(f"cannot name a backup of {path}; nothing was changed.")
    prefix = f"{path.stem}-{label}-"

    def order(backup: Path) -> tuple[str, int]:  # by time taken, then the -2, -3 of the same second
        stamp = backup.name[len(prefix):len(backup.name) - len(suffix)]
        return stamp[:15], int(stamp[16:]) if stamp[16:].isdigit() else 1

    for other in path.parent.glob(f"{glob.escape(prefix)}*{glob.escape(suffix)}"):
        if order(other) < order(made) and not other.is_symlink() and _same_bytes(other, made):
            made.unlink()
            return other
    return made


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        with a.open("rb") as left, b.open("rb") as right:
            while True:
                chunk = left.read(1 << 20)
                if chunk != right.read(1 << 20):
                    return False
                if not chunk:
                    return True
    except OSError:
        return False
