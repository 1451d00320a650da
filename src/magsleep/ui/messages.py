"""App-wide messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from magsleep.store.tonight import TonightView


@dataclass
class DataChanged(Message):
    """Something in the database changed; screens showing it reload."""

    what: str = "all"


@dataclass
class TonightPeeked(Message):
    """Tonight read straight from the file while the store is still opening."""

    view: TonightView
