"""Side effects for one night, each with its own severity: space cycles an item through none,
mild, moderate and severe; enter moves on, as in every other field."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from magsleep.domain.sleep_diary import SYMPTOM_KINDS, Symptom
from magsleep.ui.safe_text import plain

SEVERITY_WORDS = {1: "mild", 2: "moderate", 3: "severe"}


class SymptomPicker(OptionList):
    """One line per kind of side effect: `[ ] nausea`, or `[✓] nausea · moderate`."""

    BINDINGS = [
        Binding("space", "cycle", "Severity", id="cycle_severity",
                tooltip="None, mild, moderate, severe, then none again"),
        Binding("enter", "app.focus_next", "Next", id="symptoms_next", show=False,
                tooltip="On to the note, like enter in every other field"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.severity: dict[str, int] = {}
        """Each chosen kind's severity (1-3); kinds not here were not noticed."""
        self._draw()

    def _prompt(self, kind: str) -> Content:
        level = self.severity.get(kind)
        return plain(f"[✓] {kind} · {SEVERITY_WORDS[level]}" if level else f"[ ] {kind}")

    def _draw(self) -> None:
        keep = self.highlighted
        self.clear_options()
        self.add_options([Option(self._prompt(kind), id=kind) for kind in SYMPTOM_KINDS])
        self.highlighted = keep if keep is not None else 0

    def show(self, symptoms: tuple[Symptom, ...] | list[Symptom]) -> None:
        self.severity = {s.kind: s.severity for s in symptoms}
        self._draw()

    def chosen(self) -> list[Symptom]:
        return [Symptom(kind, self.severity[kind]) for kind in SYMPTOM_KINDS if kind in self.severity]

    def action_cycle(self) -> None:
        if self.highlighted is None:
            return
        kind = SYMPTOM_KINDS[self.highlighted]
        level = self.severity.get(kind, 0) + 1
        if level > 3:
            self.severity.pop(kind, None)
        else:
            self.severity[kind] = level
        self.replace_option_prompt_at_index(self.highlighted, self._prompt(kind))
