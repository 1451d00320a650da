"""History's filter: plain text, "on"/"off" for magnesium nights, or a month."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

# "nov" and "november" -> 11 (Python's calendar names are English unless a program sets LC_TIME;
# magsleep never does).
MONTHS = {name.lower(): number for names in (calendar.month_abbr, calendar.month_name)
          for number, name in enumerate(names) if name}


@dataclass(frozen=True)
class HistoryFilter:
    """A parsed filter; `matches(night_iso, on_magnesium, text)` tells whether a row stays."""

    text: str = ""
    magnesium: bool | None = None
    month: str | None = None  # "YYYY-MM" or "-MM-" (any year)

    def matches(self, night_iso: str, on_magnesium: bool, text: str) -> bool:
        if self.magnesium is not None and on_magnesium != self.magnesium:
            return False
        if self.month is not None:
            if self.month.startswith("-"):
                if night_iso[4:8] != self.month:
                    return False
            elif not night_iso.startswith(self.month):
                return False
        return not self.text or self.text in text.lower()


def parse_filter(query: str) -> HistoryFilter:
    """``on``, ``off``, ``2026-11``, ``nov``, ``november 2026``; any other words: a text search."""
    words = query.strip().lower().split()
    year = next((w for w in words if re.fullmatch(r"\d{4}", w)), None)
    magnesium = None
    month = None
    rest = []
    for word in words:
        if word in ("on", "off") and magnesium is None:
            magnesium = word == "on"
        elif re.fullmatch(r"\d{4}-\d{2}", word):
            month = word
        elif word in MONTHS:
            month = f"{year}-{MONTHS[word]:02d}" if year else f"-{MONTHS[word]:02d}-"
        else:
            rest.append(word)
    if month is not None and year is not None:
        rest = [w for w in rest if w != year]
    return HistoryFilter(" ".join(rest), magnesium, month)
