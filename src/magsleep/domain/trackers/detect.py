"""Which format a file is, from its first few kilobytes (never its name)."""

from __future__ import annotations

from magsleep.domain.trackers import apple_health, fitbit, plees, sleep_as_android, sleepmeter

HEAD_BYTES = 8192


def detect(head: str) -> str | None:
    """The format of a file starting with `head`: a key of `night.FORMAT_NAMES`, or None."""
    text = head.lstrip("\ufeff")
    if apple_health.looks_like(text):
        return "apple-health"
    if fitbit.looks_like(text):
        return "fitbit"
    if sleep_as_android.looks_like(text):
        return "sleep-as-android"
    if plees.looks_like(text):
        return "plees"
    if sleepmeter.looks_like(text):
        return "sleepmeter"
    stripped = text.lstrip()
    if stripped.startswith("{") and '"nights"' in stripped:
        return "json"
    first = stripped.split("\n", 1)[0]
    if "night" in [c.strip().strip('"') for c in first.split(",")]:
        return "csv"
    return None
