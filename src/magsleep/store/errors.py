"""Errors the store raises with a message fit to show a person as it is."""

from __future__ import annotations


class StoreError(Exception):
    """The database could not be opened or written; the message says why and what to do."""


class NotMagsleep(StoreError):
    """The file is not magsleep's database (another program's, empty, not SQLite): it is refused
    before anything is written, created or locked, whatever the command."""
