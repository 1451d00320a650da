"""The report's content, as a clinician reads it: the header, the answer (a trial's own texts, or
the headline in a clinician's words), every night, side effects by date; nothing a person typed
escapes its cell; no shell command, no wrong plural, the person's note on the first page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from magsleep.domain.demo import demo_nights
from magsleep.domain.headline import Effect
from magsleep.domain.magnesium import CONSULT, dose_amount
from magsleep.domain.n_of_1 import make_plan
from magsleep.domain.sleep_diary import Diary, Symptom
from magsleep.render.report import (
    FOR_THE_PERSON,
    answer,
    build_report,
    clinician_headline,
    without_commands,
    write_report,
)
from magsleep.store.demo import write_demo
from magsleep.store.doses import add_dose
from magsleep.store.insights import load_insights
from magsleep.store.nights import save_diary
from magsleep.store.settings import save_setting
from magsleep.store.trials import add_trial

ZONE = ZoneInfo("Europe/London")
LAST = date(2026, 11, 24)
HOSTILE = "</td><script>alert(1)</script> | [x](javascript:1) \x1b[31mred\x07 *b*"


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def moment(night: date, hour: int, minute: int = 0) -> datetime:
    day = night + timedelta(days=1) if hour < 12 else night
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def test_header_nights_side_effects_and_hostile_text(store):
    night = LAST - timedelta(days=2)
    with store.writing() as session:
        save_diary(night, Diary(moment(night, 23), moment(night, 23, 10), 15, 2, 25, moment(night, 6, 40),
                                moment(night, 7), 4, 3), symptoms=[Symptom("nausea", 2)], note=HOSTILE, session=session)
        add_dose(night, moment(night, 22, 30), dose_amount("glycinate", 400), session=session)
        save_setting("medicines", "doxycycline <b>|", session=session)
        # A file can bring any form or kind: they are a person's text too.
        session.connection().exec_driver_sql("UPDATE dose SET form = ?", (HOSTILE,))
        session.connection().exec_driver_sql("UPDATE symptom SET kind = ?", (HOSTILE,))
    with store.reading() as session:
        md = build_report("md", LAST, session=session, start=LAST - timedelta(days=6), made=date(2026, 11, 25))
        page = build_report("html", LAST, session=session, start=LAST - timedelta(days=6), made=date(2026, 11, 25))

    assert "- Report made on 2026-11-25." in md and "- Name: ___" in md
    assert f"Period: {LAST - timedelta(days=6)} to {LAST}, 7 nights: 1 with a sleep diary, 6 with nothing logged." in md
    assert f"Nights above it: 1 night: {night} (400 mg)." in md and "350 mg" in md
    # The app's advice is a point to discuss; its "please check with a professional" is not said to one.
    assert "## Points to discuss\n\n- The daily limit was exceeded on 1 night.\n" in md and CONSULT not in md
    row = next(line for line in md.splitlines() if line.startswith(f"| {night:%a} {night} |"))
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert len(cells) == 15  # no `|` a person typed opens a cell
    assert [c.strip() for c in cells[1:12]] == ["23:00", "23:10", "15", "2", "25", "06:40", "07:00", "6h50",
                                                "85%", "4", "3"]
    assert cells[12].strip().startswith("400 mg") and cells[12].strip().endswith("22:30, 40 min")
    assert "\\<script\\>" in cells[14] and "\\|" in cells[14] and "␛\\[31mred␇" in cells[14]
    assert "<script>" not in md and "\x1b" not in md and "doxycycline \\<b\\>\\|" in md
    side = [line for line in md.splitlines() if line.startswith(f"| {night:%a} {night} |")][1]  # the side effects
    assert side.endswith("| 2 (moderate) | 400 mg |") and len(re.split(r"(?<!\\)\|", side)) == 6

    tags = Tags()
    tags.feed(page)
    assert "script" not in tags.tags and "b" not in tags.tags and "\x1b" not in page
    assert "</td><script>alert(1)</script> | [x](javascript:1) ␛[31mred␇ *b*" in tags.text
    assert "Medicines listed by the person: doxycycline <b>|" in tags.text
    for svg in re.findall(r"<svg.*?</svg>", page, re.S):
        ET.fromstring(svg)  # each chart is well-formed on its own


def test_written_for_the_reader_no_commands_plurals_and_the_persons_note_first(store, tmp_path):
    with store.writing() as session:
        write_demo(demo_nights(LAST, 60, ZONE), session=session)
    with store.reading() as session:
        md = build_report("md", LAST, session=session)
        page = build_report("html", LAST, session=session)
    for text in (md, page):
        assert "'magsleep" not in text and not re.search(r"\b1 (nights|pairs|times)\b", text)
        assert CONSULT not in text and "Please check with" not in text
        assert text.index(FOR_THE_PERSON) < text.index("Sleep diary chart")
        assert "First weeks (the 28-night start, not a trial)" in text
    # Comparison sub-headings stay above their results in HTML too.
    assert re.search(r"<li>Nights with vs without magnesium:<ul><li>Sleep efficiency", page)


def test_the_headline_in_a_clinicians_words():
    effect = Effect("sol_min", "diary", -7.2, -11.6, -3.1, "better", 6)
    class Seen:  # what the headline reads of the insights: no nights, no comparisons
        points = ()
        comparisons = ()

    first, caveat = clinician_headline(effect, Seen())  # type: ignore[arg-type]
    assert first.startswith("Time to fall asleep was 7 minutes shorter on magnesium nights than on nearby nights "
                            "without (95% CI 3 to 12; 6 fortnights compared")
    assert "What it cannot tell: whether magnesium caused it" in caveat
    unclear = clinician_headline(Effect("se_pct", "diary", 1.2, -0.8, 3.1, "unclear", 5), Seen())  # type: ignore[arg-type]
    assert unclear[0].startswith("Sleep efficiency: no clear difference") and "+1.2 percentage points" in unclear[0]


def test_a_randomised_trial_is_the_answer_in_the_domains_own_words(store, tmp_path):
    orders = iter(["off-on", "on-off", "on-off", "off-on"])
    start = date(2026, 8, 17)
    plan = make_plan(start, "2026-08-16T20:00:00+00:00", draw=lambda _: next(orders))
    with store.writing() as session:
        write_demo(demo_nights(LAST, 120, ZONE), session=session)
        add_trial(plan, start, session=session)
    out = tmp_path / "report.md"
    with store.reading() as session:
        insights = load_insights(LAST, session=session)
        result = insights.randomised
        write_report(out, "md", LAST, session=session, start=start - timedelta(days=3))
    assert result is not None
    md = out.read_text()
    said = md[md.index("## The answer: a randomised trial"):md.index("## Sleep diary chart")]
    assert f"- {without_commands(result.text())}" in said
    assert f"- {without_commands(result.per_protocol_text())}" in said
    assert f"Plan made on 2026-08-16, before its first night {start}" in said and plan.fingerprint in said
    assert "Orders: pair 1 off-on, pair 2 on-off, pair 3 on-off, pair 4 off-on." in said
    deviations = ", ".join(str(d) for d in result.deviations) or "none"
    assert f": {deviations}." in said
    assert "First weeks (the 28-night start, not the trial)" in said
    # The chart beside it labels each trial night by its phase.
    assert "![Sleep diary chart, one row per night](report-diary.svg)" in md
    root = ET.parse(tmp_path / "report-diary.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    rows = [g for g in root.iter(f"{ns}g") if "night" in (g.get("class") or "").split()]
    assert len(rows) == (LAST - start).days + 4
    labels = [next((t.text for t in g.iter(f"{ns}text") if t.get("class") == "phase"), None) for g in rows]
    assert labels[:4] == [None, None, None, "baseline"]
    assert labels[3 + 14:3 + 28] == ["off"] * 14 and labels[3 + 28] == "on"
    assert oct((tmp_path / "report-diary.svg").stat().st_mode & 0o777) == "0o600"
    # A blinded trial (issue 23: a `blinded` plan) keeps its orders hidden in the answer too.
    hidden = replace(insights, plan=replace(plan, blinded=True))  # sealed: no bag known yet
    text = str([b for section in answer(hidden) for b in section.blocks])
    assert "Orders: hidden until the trial is unblinded." in text and "on-off" not in text and "off-on" not in text
    weeks = ET.parse(tmp_path / "report-weeks.svg").getroot()
    assert {p.get("class") for p in weeks.iter(f"{ns}polyline")} == {"line with", "line without"}


def test_commands_are_left_out_of_the_apps_texts():
    assert without_commands("No clear difference. A longer plan could tell ('magsleep trial plan').") == \
        "No clear difference. A longer plan could tell."
    assert without_commands("The plan was changed outside magsleep. 'magsleep trial stop' ends it.") == \
        "The plan was changed outside magsleep."
    assert without_commands("Too few nights: 3 of 7.") == "Too few nights: 3 of 7."


def test_a_markdown_report_is_written_with_its_charts_or_not_at_all(store, tmp_path):
    from magsleep.store.errors import StoreError

    victim = tmp_path / "victim.md"
    victim.write_text("precious")
    link = tmp_path / "report.md"
    link.symlink_to(victim)
    with store.reading() as session, pytest.raises(StoreError, match="symbolic link"):
        write_report(link, "md", LAST, session=session)
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".svg") == []  # no chart left behind
