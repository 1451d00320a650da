"""Forms, elemental conversions, the daily limit and dose jumps."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magsleep.domain.errors import InvalidInput
from magsleep.domain.magnesium import (
    CONSULT,
    FORMS,
    dose_amount,
    dose_jump,
    find_form,
    limit_status,
)

TABLE = {  # % Mg from PMC7397051, Table 3
    "oxide": 60.3, "citrate": 16.2, "citrate-nonahydrate": 11.9, "malate": 15.5, "glycinate": 14.1,
    "chloride": 25.5, "sulfate": 20.2, "chloride-hexahydrate": 12.0, "lactate": 12.0,
    "sulfate-heptahydrate": 9.9, "taurate": 8.9, "aspartate": 8.4, "threonate": 8.3, "orotate": 7.3,
}


@pytest.mark.parametrize("key, percent", TABLE.items())
def test_compound_weight_converts_with_each_forms_fraction(key, percent):
    dose = dose_amount(key, "1000", compound=True)
    assert dose.elemental_mg == pytest.approx(percent * 10, abs=0.05)
    assert dose.amount_is == "compound"


def test_every_form_but_other_is_in_the_table():
    assert {f.key for f in FORMS} - {"other"} == set(TABLE)


def test_label_amount_is_elemental_by_default_and_aliases_work():
    dose = dose_amount("Bisglycinate", "200")
    assert (dose.form, dose.elemental_mg, dose.amount_is) == ("glycinate", 200, "elemental")
    assert find_form("L-threonate").key == "threonate"


def test_other_form_needs_a_percentage_for_compound_weight():
    assert dose_amount("other", 500, compound=True, percent="10").elemental_mg == 50
    with pytest.raises(InvalidInput) as err:
        dose_amount("other", 500, compound=True)
    assert err.value.field == "percent"
    with pytest.raises(InvalidInput):
        dose_amount("citrate", 500, percent="10")


@pytest.mark.parametrize("amount", ["", "abc", "-5", "0", "1e9", "nan", "inf", None, "   "])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(InvalidInput) as err:
        dose_amount("glycinate", amount)
    assert err.value.field == "amount"


def test_unknown_form():
    with pytest.raises(InvalidInput, match="unknown form"):
        dose_amount("unobtainium", 100)


def test_limit_warning_says_so_and_suggests_a_professional():
    under = limit_status([200, 150])
    assert not under.over and "350 of 350" in under.message
    over = limit_status([200, 200])
    assert over.over and "above the 350 mg daily upper limit" in over.message and CONSULT in over.message
    assert limit_status([100], 65).over  # a child's limit set in settings


def test_dose_jump():
    assert dose_jump([], 400) is None
    assert dose_jump([100, 100], 150) is None
    assert "jump" in dose_jump([100, 100], 200)


@given(amount=st.one_of(st.text(max_size=10), st.floats(allow_nan=True, allow_infinity=True),
                        st.integers()), compound=st.booleans(),
       form=st.sampled_from([f.key for f in FORMS] + ["", "x"]))
def test_any_amount_gives_a_dose_or_a_clear_error(amount, compound, form):
    try:
        dose = dose_amount(form, amount, compound=compound, percent="12" if form == "other" else None)
    except InvalidInput as err:
        assert err.field in ("amount", "form", "percent")
    else:
        assert math.isfinite(dose.elemental_mg) and 0 <= dose.elemental_mg <= dose.amount_mg
