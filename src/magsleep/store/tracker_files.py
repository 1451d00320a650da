"""Opening what a person hands to `magsleep import`: a file, a zip or a folder (a Fitbit Takeout),
reading each member as a stream, and handing the text (or, for Apple Health, the byte stream) to
the format's parser. Which format is found from the content (`domain.trackers.detect`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path
from typing import IO

from magsleep.domain.import_file import ImportFailed, ImportFile, parse_file
from magsleep.domain.text_safety import visible
from magsleep.domain.trackers import apple_health, fitbit, plees, sleep_as_android, sleepmeter
from magsleep.domain.trackers.detect import HEAD_BYTES, detect
from magsleep.domain.trackers.night import FORMAT_NAMES, TrackerFile


@dataclass(frozen=True)
class Member:
    """One readable thing inside what was given: its name (for messages) and how to open it."""

    name: str
    open: Callable[[], IO[bytes]]


@dataclass(frozen=True)
class Loaded:
    """A checked import: magsleep's own export (`own`) or a tracker's nights (`tracked`)."""

    fmt: str
    own: ImportFile | None = None
    tracked: TrackerFile | None = None


def _members(path: Path) -> list[Member]:
    if path.is_dir():
        return [Member(str(p.relative_to(path)), lambda p=p: p.open("rb"))  # type: ignore[misc]
                for p in sorted(path.rglob("*")) if p.is_file()]
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as err:
            raise ImportFailed([f"{visible(path.name)}: not a readable zip ({err})"]) from None
        return [Member(info.filename, lambda info=info: archive.open(info))  # type: ignore[misc]
                for info in archive.infolist() if not info.is_dir()]
    return [Member(path.name, lambda: path.open("rb"))]


def _head(member: Member) -> str:
    with member.open() as stream:
        return stream.read(HEAD_BYTES).decode("utf-8", errors="replace")


def _text(member: Member) -> str:
    with member.open() as stream:
        data = stream.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise ImportFailed([f"{visible(member.name)} line {line}: not UTF-8 text"]) from None


def read_import(path: Path, fmt: str = "auto", *, tz: tzinfo, latest: date | None,
                rollover_hour: int) -> Loaded:
    """Find the format (unless given), read and check everything; raises ImportFailed."""
    try:
        members = _members(path)
        found = [(m, detect(_head(m))) for m in members]
    except (OSError, zipfile.BadZipFile) as err:
        raise ImportFailed([f"cannot read {visible(str(path))}: {getattr(err, 'strerror', None) or err}"]) from None
    if fmt == "auto":
        kinds = {kind for _, kind in found if kind is not None}
        if not kinds and len(members) == 1 and not path.is_dir() and not zipfile.is_zipfile(path):
            # Not recognised: read it as magsleep's own export (by its extension, as before), whose
            # checks say what is wrong with it line by line.
            kinds = {"csv" if path.suffix.lower() == ".csv" else "json"}
        if not kinds:
            raise ImportFailed([f"{visible(path.name)}: not an export magsleep knows (magsleep JSON or CSV, "
                                "Sleepmeter, Plees Tracker, Sleep as Android, Fitbit, Apple Health)"])
        if len(kinds) > 1:
            names = ", ".join(sorted(FORMAT_NAMES[k] for k in kinds))
            raise ImportFailed([f"{visible(path.name)} holds more than one kind of export ({names}); "
                                "import them one at a time or name one with --format"])
        fmt = kinds.pop()
    # The members of that format; a file read as the format named (or as magsleep's own export,
    # which nothing detects) is read whole, and its checks say what is wrong with it.
    chosen = [m for m, kind in found if kind == fmt] or [m for m, _ in found]
    if not chosen:
        raise ImportFailed([f"{visible(path.name)}: nothing to import"])
    try:
        return _parse(fmt, chosen, tz=tz, latest=latest, rollover_hour=rollover_hour)
    except (OSError, zipfile.BadZipFile) as err:
        raise ImportFailed([f"cannot read {visible(str(path))}: {getattr(err, 'strerror', None) or err}"]) from None


def _parse(fmt: str, chosen: list[Member], *, tz: tzinfo, latest: date | None, rollover_hour: int) -> Loaded:
    if fmt == "fitbit":
        files = [(m.name, _text(m)) for m in chosen]
        return Loaded(fmt, tracked=fitbit.parse(files, tz=tz, latest=latest, rollover_hour=rollover_hour))
    if len(chosen) > 1:
        names = ", ".join(visible(m.name) for m in chosen[:3])
        raise ImportFailed([f"found more than one file to import ({names}); import them one at a time"])
    member = chosen[0]
    if fmt == "apple-health":
        return Loaded(fmt, tracked=apple_health.parse(member.open, latest=latest, rollover_hour=rollover_hour))
    text = _text(member)
    if fmt in ("json", "csv"):
        return Loaded(fmt, own=parse_file(text, fmt, latest=latest))
    if fmt == "plees":
        return Loaded(fmt, tracked=plees.parse(text, tz=tz, latest=latest, rollover_hour=rollover_hour))
    if fmt == "sleep-as-android":
        return Loaded(fmt, tracked=sleep_as_android.parse(text, latest=latest, rollover_hour=rollover_hour))
    return Loaded(fmt, tracked=sleepmeter.parse(text, latest=latest, rollover_hour=rollover_hour))
