"""`magsleep insights` and `magsleep report` on a seeded database."""

from __future__ import annotations

import json
from html.parser import HTMLParser


def test_insights_json_has_every_comparison_and_the_verdict(run):
    run("demo", "--nights", "90")
    result = run("insights", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["comparisons"]) == 8
    first = data["comparisons"][0]
    assert set(first) == {"metric", "kind", "mean_on", "mean_off", "diff", "ci_low", "ci_high", "n_on", "n_off"}
    after = next(c for c in data["comparisons"] if c["kind"] == "before_after")
    assert {"mean_after", "mean_before", "n_after", "n_before"} <= set(after)
    assert data["verdict"] and data["first_weeks"]["length"] == 28
    text = run("insights").stdout
    assert data["verdict"] in text and "Nights with vs without magnesium" in text


def test_insights_on_an_empty_database_says_too_few(run, db_path):
    missing = run("insights")
    assert missing.exit_code == 2 and "there is no database" in missing.stderr
    assert not db_path.parent.exists()  # a read-only command creates nothing
    from magsleep.store.engine import Store

    Store.open(db_path).close()
    result = run("insights")
    assert result.exit_code == 0 and "Too few nights to tell yet" in result.stdout


class Checker(HTMLParser):
    """Checks that every opened tag is closed in order (void tags aside)."""

    VOID = {"meta", "br", "hr", "img", "link", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_report_html_holds_the_period_and_the_numbers_insights_gives(run, tmp_path):
    run("demo", "--nights", "90")
    data = json.loads(run("insights", "--json").stdout)
    out = tmp_path / "report.html"
    result = run("report", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text()
    checker = Checker()
    checker.feed(page)
    assert page.startswith("<!DOCTYPE html>") and not checker.errors and not checker.stack
    text = " ".join(checker.text)
    assert "Period" in text and " to " in text and "Magnesium by week" in text and "Side effects" in text
    se = next(c for c in data["comparisons"] if c["metric"] == "se_pct" and c["kind"] == "on_off")
    assert f"{se['ci_low']:+.1f} to {se['ci_high']:+.1f}" in text
    effect = data["magnesium_effect"]  # the headline, in a clinician's words (no shell command)
    if effect["direction"] in ("better", "worse", "unclear"):
        assert f"{effect['ci_low']:+.1f} to {effect['ci_high']:+.1f}" in text or "95% CI" in text
    else:
        assert "too far apart in time" in text or "too few nights to compare" in text
    assert "('magsleep" not in page
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_report_markdown_with_a_period_and_bad_dates(run):
    from datetime import date, timedelta

    run("demo", "--nights", "60")
    first, last = date.today() - timedelta(days=30), date.today() - timedelta(days=21)
    result = run("report", "--from", first.isoformat(), "--to", last.isoformat())
    assert result.exit_code == 0 and result.stdout.startswith("# Magnesium and sleep")
    assert f"Period: {first} to {last}, 10 nights" in result.stdout
    bad = run("report", "--from", "2026-13-01")
    assert bad.exit_code == 2 and "--from" in bad.stderr
    backwards = run("report", "--from", "2026-11-10", "--to", "2026-11-01")
    assert backwards.exit_code == 2 and "before --from" in backwards.stderr
