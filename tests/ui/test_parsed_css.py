"""The parsed CSS the test processes share (tests/support/parsed_css.py) is what a fresh parse gives."""

from __future__ import annotations

from textual.css.parse import parse

from tests.support.app import SIZE, app_for, seed, settle
from tests.support.parsed_css import share_parsed_css


def rules_as_text(rules) -> list[tuple[object, ...]]:
    """What a parsed rule holds, comparable (a Layout compares by identity, so values by repr)."""
    return [(rule.selectors, {name: repr(value) for name, value in rule.styles.get_rules().items()},
             rule.is_default_rules, rule.tie_breaker, sorted(rule.selector_names), sorted(rule.pseudo_classes),
             [selectors.specificity for selectors in rule.selector_set]) for rule in rules]


async def test_every_source_parsed_once_for_all_apps_reads_as_a_fresh_parse(db_path):
    assert share_parsed_css()  # this Textual is the one it was written against: the suite uses it
    app = app_for(seed(db_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")  # another screen brings its widgets' CSS
        await settle(pilot)
        sheet = app.stylesheet
        assert len(sheet.source) > 20
        for read_from, (css, is_default, tie_breaker, scope) in sheet.source.items():
            shared = sheet._parse_rules(css, read_from, is_default, tie_breaker, scope)
            fresh = list(parse(scope, css, read_from, variable_tokens=sheet._variable_tokens,
                               is_default_rules=is_default, tie_breaker=tie_breaker))
            assert rules_as_text(shared) == rules_as_text(fresh), read_from
