"""What a reminder says: what is left tonight, or this morning, in one line (None when all is done).

A reminder that speaks when the task is already done gets switched off, so "done" is the dashboard's
own rule: every active checklist item ticked, "Take magnesium" ticked by a logged dose; on a
randomised trial's no-magnesium night (off or baseline) that item means keeping to the plan, "No
magnesium tonight", and only a tick does it. The words for a trial night live in one function each
(`trial_night_wording`, `magnesium_item_wording`), so a blinded trial's "bag A"/"bag B" has one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from magsleep.domain.routine import TAKE_MAGNESIUM, dose_means_taken
from magsleep.domain.trial_plan import BAGS

WHICH = ("evening", "morning")


def trial_night_wording(phase: str) -> str:
    """What a trial night asks for, in the calendar's words: "magnesium" on an on-night, "no
    magnesium" on an off or baseline night; on a sealed blinded night only its bag ("bag A")."""
    if phase in BAGS:
        return f"bag {phase}"
    return "magnesium" if phase == "on" else "no magnesium"


def magnesium_item_wording(phase: str | None) -> str:
    """What the "Take magnesium" item asks for tonight, as the evening reminder names it when it is
    left: the dose outside a trial and on an on-night, keeping off it on a no-magnesium night."""
    if phase in BAGS:
        return f"bag {phase} dose not logged"
    return "magnesium not logged" if dose_means_taken(phase) else "no magnesium tonight (trial) not ticked"


@dataclass(frozen=True)
class EveningState:
    """Tonight's checklist as the dashboard counts it (a dose already ticks "Take magnesium")."""

    night: date
    items: tuple[tuple[str, bool], ...]
    """(label, done) for each active item, in order."""
    phase: str | None = None
    """Tonight's phase in a running randomised trial ("baseline", "on", "off"), None outside one."""
    deviation: bool = False
    """A dose was logged on a no-magnesium trial night: "No magnesium tonight" can no longer be kept
    (the dashboard shows the deviation), so it is not owed."""


def evening_left(state: EveningState) -> str | None:
    """One line saying what is left tonight, or None when everything is done."""
    items = [(label, done) for label, done in state.items if not (state.deviation and label == TAKE_MAGNESIUM)]
    left = [label for label, done in items if not done]
    if not left:
        return None
    parts = []
    if TAKE_MAGNESIUM in left:
        parts.append(magnesium_item_wording(state.phase))
    parts.append(f"{len(left)} of {len(items)} item{'s' if len(items) != 1 else ''} left")
    return "Tonight: " + ", ".join(parts)


def morning_left(logged: bool) -> str | None:
    """One line when last night's sleep diary is not written yet, else None."""
    return None if logged else "Last night's sleep is not logged yet"
