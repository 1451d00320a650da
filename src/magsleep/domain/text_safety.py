"""Text from a person or a file is data: the one place that makes it safe to show.

- `visible` makes control characters visible (ESC becomes ␛, BEL ␇), so a label holding
  ``ESC ] 0 ; title BEL`` cannot retitle a terminal or break a layout; bidirectional overrides
  and other invisible format characters are shown as ``<U+202E>`` so text cannot pretend to be
  something else.
- `markdown_text` escapes Markdown and inline HTML, for the report.
- `csv_cell` / `csv_uncell` neutralise spreadsheet formulas (a cell starting ``= + - @``, TAB or
  CR) on export and undo exactly that on import, so a round trip is byte-identical.

The UI shows such text as Textual `Content` (never markup); see `magsleep.ui.safe_text`.
"""

from __future__ import annotations

import re
import unicodedata

_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_C0_PICTURES[0x7F] = "\u2421"  # ␡


_REPLACED = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))


def _shown(ch: str, keep_newlines: bool) -> str:
    code = ord(ch)
    if code in _C0_PICTURES:
        return ch if ch == "\n" and keep_newlines else _C0_PICTURES[code]
    if ch.isprintable() or unicodedata.category(ch) not in _REPLACED:
        return ch
    return f"<U+{code:04X}>"


def visible(text: object, *, keep_newlines: bool = False) -> str:
    """`text` with every control or invisible format character replaced by a visible stand-in."""
    shown = str(text)
    if shown.isprintable():
        return shown  # the common case: nothing to replace, no per-character work
    return "".join(_shown(ch, keep_newlines) for ch in shown)


def without_controls(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with the characters `visible` would replace dropped: for what a person types."""
    if text.isprintable():
        return text
    return "".join(ch for ch in text if _shown(ch, keep_newlines) == ch)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")


def markdown_text(text: object) -> str:
    """Text for a Markdown report: every character Markdown or HTML could act on is escaped."""
    return _MD_SPECIAL.sub(r"\\\1", visible(text))


_FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")


def csv_cell(text: str) -> str:
    """A cell a spreadsheet will not run: a leading ' before what would start a formula.

    Cells that already start with quotes before such a character get one more, so `csv_uncell`
    can undo exactly what was done.
    """
    return "'" + text if _FORMULA_START.match(text) else text


def csv_uncell(text: str) -> str:
    """Undo `csv_cell`."""
    return text[1:] if text.startswith("'") and _FORMULA_START.match(text[1:]) else text
