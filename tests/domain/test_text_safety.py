"""Text cleaning keeps what is text (joiners, marks, tags) and drops only controls and bidi overrides."""

from __future__ import annotations

import json

import pytest

from magsleep.domain.import_file import parse_file
from magsleep.domain.parsing import clean_note
from magsleep.domain.routine import clean_label
from magsleep.domain.text_safety import ascii_stand_in, visible, without_controls

FAMILY = "👨\u200d👩\u200d👧"  # man ZWJ woman ZWJ girl: one emoji only with its joiners
PERSIAN = "می\u200cخواهم"  # "I want": the non-joiner is part of the spelling
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # a flag spelt with tag characters
TEXT = [FAMILY, PERSIAN, ENGLAND, "שלום\u200f!", "❤\ufe0f"]


@pytest.mark.parametrize("text", TEXT)
def test_every_cleaner_keeps_joiners_marks_and_tags(text):
    assert visible(text) == text
    assert without_controls(text) == text
    assert clean_note(f"a {text} b") == f"a {text} b"
    assert clean_label(f"Tea {text}") == f"Tea {text}"


def test_controls_and_bidi_overrides_are_still_dropped_or_shown():
    hostile = "a\x1b[31m\u202eb\u2066c\u2069\x07d\u2028e"
    assert without_controls(hostile) == "a[31mbcde"
    assert clean_note(hostile) == "a[31mbcde"
    assert visible(hostile) == "a␛[31m<U+202E>b<U+2066>c<U+2069>␇d<U+2028>e"


def test_an_imported_note_and_label_keep_their_joiners():
    night = {"night": "2026-01-05", "note": f"{FAMILY} {PERSIAN}", "routine": {f"Read {PERSIAN}": True}}
    parsed = parse_file(json.dumps({"nights": [night]}), "json")
    assert parsed.nights[0].note == f"{FAMILY} {PERSIAN}"
    assert parsed.nights[0].routine == ((f"Read {PERSIAN}", True),)


@pytest.mark.parametrize(("ch", "stand_in"), [("→", "->"), ("≥", ">="), ("·", "-"), ("é", "e"), ("␛", "^["),
                                               ("\u200d", ""), ("\ufe0f", ""), ("👩", "?"), ("a", "a"),
                                               ("─", "-"), ("│", "|"), ("╭", "+"), ("┼", "+"), ("▇", "#")])
def test_ascii_stand_ins(ch, stand_in):
    assert ascii_stand_in(ch) == stand_in
