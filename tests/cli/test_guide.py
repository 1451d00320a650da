"""`magsleep forms`, `magsleep guide` and the regularity in `insights --json`."""

from __future__ import annotations

import json

import pytest

from magsleep.domain.guidance import forms
from magsleep.domain.magnesium import FORMS, dose_amount


@pytest.mark.parametrize("form", [f for f in FORMS if f.fraction is not None], ids=lambda f: f.key)
def test_every_form_converts_both_ways(form):
    facts = next(f for f in forms() if f.form.key == form.key)
    assert facts.elemental_pct == round(form.fraction * 100, 1)
    compound = facts.compound_for_100mg
    # That much compound, entered as compound weight, is 100 mg elemental (to rounding).
    assert dose_amount(form.key, str(compound), compound=True).elemental_mg == pytest.approx(100, abs=0.5)


def test_forms_json_lists_every_form_with_sources(run):
    result = run("forms", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)["forms"]
    assert [f["name"] for f in data] == [f.key for f in FORMS]
    by = {f["name"]: f for f in data}
    assert by["oxide"]["elemental_pct"] == 60.3 and by["glycinate"]["aliases"] == ["bisglycinate"]
    assert any("NIH ODS" in n for n in by["citrate"]["notes"]) and by["threonate"]["sources"]
    assert not any("recommend" in n.lower() for f in data for n in f["notes"])


def test_forms_and_guide_text(run):
    text = run("forms").stdout
    assert "glycinate / bisglycinate" in text and "709 mg" in text and "No form is recommended" in text
    guide = run("guide").stdout
    for fact in ("350 mg", "kidney", "Tetracycline", "4-6 hours", "bisphosphonates", "diuretics",
                 "Proton-pump", "healthcare professional", "NIH ODS", "30 minutes to an hour"):
        assert fact.lower() in guide.lower(), fact
    assert len(guide.splitlines()) <= 24  # one screen


def test_insights_json_regularity(run):
    run("demo", "--nights", "30")
    reg = json.loads(run("insights", "--json").stdout)["regularity"]
    assert set(reg) == {"midsleep_sd_min", "sri", "nights"}
    # The 14 nights ending last night, of which the demo left one without a diary.
    assert 7 <= reg["nights"] <= 14 and -100 <= reg["sri"] <= 100 and reg["midsleep_sd_min"] >= 0


def test_spacing_reminders_and_the_medicines_setting():
    from magsleep.domain.errors import InvalidInput
    from magsleep.domain.guidance import spacing_reminders
    from magsleep.domain.settings import parse_setting

    assert spacing_reminders("") == [] and spacing_reminders("vitamin D") == []
    found = spacing_reminders("CIPROFLOXACIN, alendronic acid (alendronate), furosemide, Lansoprazole")
    assert len(found) == 4 and "4-6 hours" in found[0] and "2 hours apart" in found[1]
    assert parse_setting("medicines", "  doxy\x1b[2J cycline [/] ") == "doxy[2J cycline [/]"
    with pytest.raises(InvalidInput):
        parse_setting("medicines", "x" * 201)
