"""The words of an import's preview, shared by `magsleep import --dry-run` and the app's import
screen: nights per format and source, the first and last night, how many are new, already there
and skipped, and the first nights as they would be stored (unknown parts as a dash, derived
values only from known parts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from magsleep.domain.sleep_diary import format_minutes
from magsleep.domain.trackers.night import FORMAT_NAMES, TrackedNight, TrackerFile, elapsed

TABLE_COLUMNS = ("Night", "Source", "In bed", "Asleep", "Woke", "Up", "Time in bed", "Sleep", "Effic.", "Asks for")
PART_WORDS = {"bed": "bed", "tried": "tried", "latency_min": "latency", "awakenings": "awakenings",
              "waso_min": "awake min", "final": "final", "up": "out of bed", "quality": "quality"}


@dataclass(frozen=True)
class Counts:
    """How the nights of a file compare with the database."""

    new: int
    already_there: int
    replaced: int = 0


def _clock(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:%H:%M}"


def onset(n: TrackedNight) -> datetime | None:
    return None if n.tried is None or n.latency_min is None else elapsed(n.tried, n.latency_min)


def table_row(n: TrackedNight) -> tuple[str, ...]:
    tib, tst, se = n.known_minutes()
    source = n.device or FORMAT_NAMES[n.source]  # the summary above names the format
    asks = ", ".join([*(PART_WORDS[p] for p in n.missing if p != "tried"), "rested"])
    return (n.night.isoformat(), source, _clock(n.bed), _clock(onset(n)), _clock(n.final), _clock(n.up),
            format_minutes(tib), format_minutes(tst), "—" if se is None else f"{se:.1f}%", asks)


def summary_lines(found: TrackerFile, counts: Counts, *, dry_run: bool) -> list[str]:
    """The preview's lines above the table (plain text: the caller makes it safe to show)."""
    name = FORMAT_NAMES[found.fmt]
    lines = [f"{name}: {len(found.nights)} night{'s' if len(found.nights) != 1 else ''} found"
             + (" (" + ", ".join(f"{src}: {k}" for src, k in sorted(found.sources.items())) + ")"
                if found.sources else "")]
    if found.nights:
        lines.append(f"first night {found.nights[0].night}, last night {found.nights[-1].night}")
    verb = "would be " if dry_run else ""
    lines.append(f"new: {counts.new} ({verb}imported)")
    lines.append(f"already there: {counts.already_there} ({verb}left as they are"
                 + ("; use --replace to overwrite them)" if counts.already_there else ")"))
    if counts.replaced:
        lines.append(f"replaced: {counts.replaced} (--replace: {verb}overwritten with the tracker's times)")
    parts = [f"{k} {label}" for k, label in ((found.naps, "nap" if found.naps == 1 else "naps"),
                                                (found.too_short, "too short, under 3 hours"),
                                                (found.second_sleeps, "shorter second sleep on a night"
                                                 if found.second_sleeps == 1 else "shorter second sleeps on a night"))
             if k]
    lines.append(f"skipped: {found.skipped}" + (f" ({', '.join(parts)})" if parts else "") + " (not nights)")
    lines.extend(found.notes)
    tagged = sum(1 for n in found.nights if n.magnesium)
    if tagged:
        lines.append(f"magnesium tagged on {tagged} night{'s' if tagged != 1 else ''}: shown only, no dose is "
                     "logged (a dose needs a form and an amount)")
    missing = sum(1 for n in found.nights if n.missing)
    if missing:
        lines.append(f"{missing} night{'s' if missing != 1 else ''} lack parts a tracker cannot know: the morning "
                     "log opens with the imported times and asks for the rest")
    return lines


def table_rows(nights: Sequence[TrackedNight], first: int = 10) -> list[tuple[str, ...]]:
    return [table_row(n) for n in nights[:first]]
