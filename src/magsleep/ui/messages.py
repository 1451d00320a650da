"""App-wide messages."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class DataChanged(Message):
    """Something in the database changed; screens showing it reload."""

    what: str = "all"


@dataclass
class TonightPeeked(Message):
    """Tonight read straight from the file while the store is still opening (a TonightView)."""

    view: object
