"""Text from a person or a file is data: the one place that makes it safe to show.

- `visible` makes control characters visible (ESC becomes ␛, BEL ␇), so a label holding
  ``ESC ] 0 ; title BEL`` cannot retitle a terminal or break a layout; bidirectional overrides,
  embeddings and isolates are shown as ``<U+202E>`` so text cannot pretend to be something else.
  Other format characters are text and stay: the zero-width joiner (U+200D) builds emoji
  families, the non-joiner (U+200C) is part of Persian spelling, tags make subdivision flags.
- `ascii_stand_in` gives the ASCII a terminal that cannot show a character gets instead
  (``→`` as ``->``, ``␛`` as ``^[``); see `magsleep.output_streams`.
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


# Controls, line/paragraph separators (they break a line like a newline) and lone surrogates.
_REPLACED = frozenset(("Cc", "Zl", "Zp", "Cs"))
# The bidirectional embeddings, overrides and isolates ("Trojan source", CVE-2021-42574): they
# reorder what follows. The marks (LRM, RLM, ALM) only nudge neutral characters and stay.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def _shown(ch: str, keep_newlines: bool) -> str:
    code = ord(ch)
    if code in _C0_PICTURES:
        return ch if ch == "\n" and keep_newlines else _C0_PICTURES[code]
    if ch in BIDI_CONTROLS or (not ch.isprintable() and unicodedata.category(ch) in _REPLACED):
        return f"<U+{code:04X}>"
    return ch


def visible(text: object, *, keep_newlines: bool = False) -> str:
    """`text` with every control character and bidirectional override replaced by a visible stand-in."""
    shown = str(text)
    if shown.isprintable():
        return shown  # the common case: nothing to replace, no per-character work
    return "".join(_shown(ch, keep_newlines) for ch in shown)


def without_controls(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with the characters `visible` would replace dropped: for what a person types."""
    if text.isprintable():
        return text
    return "".join(ch for ch in text if _shown(ch, keep_newlines) == ch)


# What a terminal limited to ASCII (or Latin-1) shows for the characters magsleep itself writes.
_ASCII_STAND_INS = {
    "\u2192": "->", "\u2190": "<-", "\u2194": "<->", "\u2265": ">=", "\u2264": "<=", "\u2260": "!=",
    "\u00b7": "-", "\u2022": "*", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00d7": "x", "\u00b1": "+/-",
    "\u2248": "~", "\u00b5": "u", "\u03bc": "u", "\u00b0": " deg", "\u26a0": "!", "\u2713": "v",
    "\u2714": "v", "\u2717": "x", "\u2718": "x", "\u2421": "^?", "\u00a0": " ",
}
_ASCII_STAND_INS.update({chr(0x2400 + code): "^" + chr(0x40 + code) for code in range(0x20)})  # ␛ is ^[


def ascii_stand_in(ch: str) -> str:
    """ASCII for one character: a look-alike (``→`` is ``->``, ``é`` is ``e``, ``␛`` is ``^[``),
    nothing for a joiner or a combining mark, else ``?``."""
    if ch.isascii():
        return ch
    if ch in _ASCII_STAND_INS:
        return _ASCII_STAND_INS[ch]
    if "\u2500" <= ch <= "\u257f":  # box drawing: the app's frames stay frames
        name = unicodedata.name(ch, "")
        if " AND " in name:  # corners, tees and crosses
            return "+"
        return "-" if "HORIZONTAL" in name else "|" if "VERTICAL" in name else "+"
    if "\u2580" <= ch <= "\u259f":  # block elements: bars and charts
        return "#"
    if unicodedata.category(ch) in ("Cf", "Mn", "Me"):
        return ""  # a joiner or a variation selector changes how a character looks, not what it says
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    return plain if plain and plain.isprintable() else "?"


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
