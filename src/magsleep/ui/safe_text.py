"""The app's one path for showing text that came from a person or a file.

Textual reads a plain `str` given to Static, OptionList, SelectionList or notify as markup:
``[/]`` raises MarkupError and ``[@click=app.…]`` runs an action. Everything shown here that
holds a value goes through `plain` (user text as Content, control characters made visible) or
`markup` (our own markup with ``$name`` values substituted as plain text). Field messages use
`FieldError`, which never parses markup.
"""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Input, Static

from magsleep.domain.text_safety import visible, without_controls

SHORT_FIELD = 24
"""The cap for a time, a number or a date: room for "2026-11-24T23:15" and a typo or two."""


def plain(text: object) -> Content:
    """User or file text, shown exactly as text."""
    return Content(visible(text, keep_newlines=True))


def markup(template: str, **values: object) -> Content:
    """Our markup `template` with each ``$name`` replaced by its value as plain, visible text."""
    return Content.from_markup(template, **{k: visible(v, keep_newlines=True) for k, v in values.items()})


class FieldError(Static):
    """The message beside a field, never read as markup; a line of its own is hidden when empty,
    an `inline` one (in the field's row) keeps its place."""

    DEFAULT_CLASSES = "field-error"

    def __init__(self, *, id: str | None = None, inline: bool = False, subject: str = "") -> None:
        super().__init__("", id=id, classes="inline-error" if inline else None, markup=False)
        self.inline = inline
        self.subject = subject
        """What the field is called: a message without one ("is required") gets it."""
        self.display = inline

    def say(self, message: str) -> None:
        """Show `message` (with a ⚠), or clear it."""
        if message and self.subject and message.startswith(("is ", "must ", "needs ", "should ", "only ")):
            message = f"{self.subject} {message}"
        self.update(f"⚠ {visible(message)}" if message else "")
        self.display = self.inline or bool(message)

    def clear(self) -> None:
        self.say("")


class TextField(Input):
    """Every field a person types into: a length cap enforced while typing (a pasted novel
    stops at `max_length`) and no control characters (a pasted ESC never reaches the value)."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, restrict=r"[^\x00-\x1f\x7f-\x9f]*", **kwargs)

    def replace(self, text: str, start: int, end: int) -> None:
        # A paste keeps what fits, without its control characters, instead of being refused whole.
        start, end = sorted((max(0, start), min(len(self.value), end)))
        room = (self.max_length or 0) - (len(self.value) - (end - start))  # always set: see __init__
        super().replace(without_controls(text)[:max(0, room)], start, end)
