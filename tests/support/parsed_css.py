"""Textual's parsed CSS shared by every app a test process starts.

Textual parses each CSS source once per app (a cache on each app's stylesheet). A person's
magsleep starts one app; a test process starts a hundred, and parsing the same sources again
was about a tenth of each Pilot test's CPU (the dose form's widgets alone brought 30 ms of it).
Parsing is a pure function of the source, where it came from and the theme's variables, so the
result is kept here under exactly those. Rendering is unchanged (the snapshot tests compare
it); `tests/ui/test_parsed_css.py` checks a shared parse equals a fresh one.
"""

from __future__ import annotations

import inspect
from typing import Any

from textual.css.stylesheet import Stylesheet

EXPECTED = ["self", "css", "read_from", "is_default_rules", "tie_breaker", "scope"]
"""`Stylesheet._parse_rules`'s parameters as this was written against (Textual 8): any other
version is left alone, and the suite only runs slower."""

_parsed: dict[tuple[Any, ...], Any] = {}


def share_parsed_css() -> bool:
    """Installs the shared parse; False (nothing changed) for a Textual it does not know."""
    parse = Stylesheet._parse_rules
    if getattr(parse, "shared", False):
        return True
    if list(inspect.signature(parse).parameters) != EXPECTED:
        return False

    def shared_parse(self: Stylesheet, css: str, read_from: Any, is_default_rules: bool = False,
                     tie_breaker: int = 0, scope: str = "") -> Any:
        key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(self._variables.items()))
        rules = _parsed.get(key)
        if rules is None:  # an error is raised, never kept: the next app raises it again
            rules = _parsed[key] = parse(self, css, read_from, is_default_rules, tie_breaker, scope)
        return rules

    shared_parse.shared = True  # type: ignore[attr-defined]
    Stylesheet._parse_rules = shared_parse  # type: ignore[method-assign]
    return True
