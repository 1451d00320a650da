"""Errors the store raises with a message fit to show a person as it is."""

from __future__ import annotations


class StoreError(Exception):
    """The database could not be opened or written; the message says why and what to do."""
