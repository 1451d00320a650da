"""The one error type the domain raises for bad input: it names the field it is about."""

from __future__ import annotations


class InvalidInput(ValueError):
    """A value a person typed (or a file held) that cannot be accepted.

    `field` names the input it is about (e.g. ``"latency"``), so the command line can print
    ``latency: ...`` and a form can show the message beside that field.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
