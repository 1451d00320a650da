"""`magsleep dose` and `magsleep sleep`: the quick evening and morning logs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click

from magsleep import local_time, store
from magsleep.cli.group import cli, open_store
from magsleep.domain.errors import InvalidInput
from magsleep.domain.magnesium import CONSULT, dose_amount, dose_jump, limit_status, parse_amount
from magsleep.domain.nights import last_night, night_of
from magsleep.domain.parsing import clean_note, parse_date, parse_moment
from magsleep.domain.sleep_diary import compute_metrics, diary_from_clock, format_minutes, parse_symptom


# Unknown "options" go to AMOUNT, so `magsleep dose -5` gets a message about the amount.
@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("amount")
@click.option("--form", "form_", metavar="FORM", help="glycinate, citrate, oxide, malate, threonate, ... "
              "(default: the one in settings).")
@click.option("--compound", is_flag=True, help="AMOUNT is the compound's weight, not the elemental mg on the label.")
@click.option("--percent", metavar="P", help="% magnesium, for --form other.")
@click.option("--at", "at", metavar="TIME", help="HH:MM today, or YYYY-MM-DDTHH:MM (default: now).")
@click.option("--note", metavar="TEXT", help="A note for this dose.")
@click.pass_context
def dose(ctx: click.Context, amount: str, form_: str | None, compound: bool, percent: str | None,
         at: str | None, note: str | None) -> None:
    """Log a dose of AMOUNT mg (elemental, as on a Supplement Facts label)."""

    now = local_time.now()
    tz = local_time.local_zone()
    # Check everything typed before the database is touched.
    parse_amount(amount)
    if form_ is not None:
        dose_amount(form_, amount, compound=compound, percent=percent)
    taken = parse_moment(at, "--at", today=now.date(), zone=tz) if at else now
    if taken - now > timedelta(minutes=5):
        raise InvalidInput("--at", f"{taken:%Y-%m-%d %H:%M} is in the future")
    note = clean_note(note)

    db = open_store(ctx)
    # Read and check first: the write lock is held only for the writes (40 writers at once queue on it).
    with db.reading() as session:
        settings = store.settings.load_settings(session=session)
        checked = dose_amount(form_ or settings.default_form, amount, compound=compound, percent=percent)
        night = night_of(taken, settings.rollover_hour)
        before = store.doses.recent_totals(night, session=session)  # the nights before: no race with this write
    with db.writing() as session:
        record = store.doses.add_dose(night, taken, checked, note=note, session=session)
        total = store.doses.night_total(night, session=session)
    status = limit_status([total], settings.daily_limit_mg)
    what = f"{checked.amount_mg:g} mg {checked.form}"
    if checked.amount_is == "compound":
        what += f" compound = {record.elemental_mg:g} mg elemental"
    else:
        what += " (elemental)"
    click.echo(f"Logged {what} at {taken:%H:%M} for the night of {night}.")
    click.echo(f"Night total: {status.total_mg:g} of {status.limit_mg:g} mg daily limit.")
    if status.over:
        click.echo(f"Warning: {status.message}")
    jump = dose_jump(before, total)
    if jump:
        click.echo(f"Note: {jump} {CONSULT if status.over else ''}".rstrip())


@cli.command()
@click.option("--night", metavar="DATE", help="The evening's date, YYYY-MM-DD (default: last night).")
@click.option("--bed", required=True, metavar="HH:MM", help="Got into bed.")
@click.option("--tried", metavar="HH:MM", help="Tried to sleep (default: bed time).")
@click.option("--latency", required=True, metavar="MIN", help="Minutes to fall asleep.")
@click.option("--awakenings", metavar="N", help="Times woke up in the night (default 0).")
@click.option("--waso", metavar="MIN", help="Total minutes awake in those awakenings (default 0).")
@click.option("--final", required=True, metavar="HH:MM", help="Final awakening.")
@click.option("--up", required=True, metavar="HH:MM", help="Got out of bed.")
@click.option("--quality", required=True, metavar="1-5", help="Sleep quality, 1 very poor to 5 very good.")
@click.option("--rested", metavar="1-5", help="How rested, 1 not at all to 5 very well.")
@click.option("--symptom", "symptoms", multiple=True, metavar="KIND[:SEVERITY]",
              help="A side effect: diarrhoea, nausea, cramps, drowsiness, headache, other; severity 1-3.")
@click.option("--note", metavar="TEXT", help="A note for the night.")
@click.pass_context
def sleep(ctx: click.Context, night: str | None, bed: str, tried: str | None, latency: str,
          awakenings: str | None, waso: str | None, final: str, up: str, quality: str,
          rested: str | None, symptoms: tuple[str, ...], note: str | None) -> None:
    """Log a night's sleep diary (Consensus Sleep Diary); logging a night again replaces it."""
    now = local_time.now()
    which = parse_date(night, "--night", latest=now.date()) if night else None
    if which is not None and which >= now.date():
        raise InvalidInput("--night", f"{which} has not ended yet; the diary is for a past night")
    checked_symptoms = [parse_symptom(s, "--symptom") for s in symptoms]
    note = clean_note(note)
    answers: dict[str, Any] = dict(bed=bed, tried=tried, latency=latency, awakenings=awakenings, waso=waso,
                   final=final, up=up, quality=quality, rested=rested)
    # A first check with the default rollover, so bad input never opens (or creates) the database.
    diary_from_clock(which or last_night(now), local_time.local_zone(), **answers)

    db = open_store(ctx)
    with db.reading() as session:  # read and check first: the write lock is held only for the writes
        settings = store.settings.load_settings(session=session)
    which = which or last_night(now, settings.rollover_hour)
    diary = diary_from_clock(which, local_time.local_zone(), rollover_hour=settings.rollover_hour, **answers)
    with db.writing() as session:
        # Logging a night again replaces the diary; side effects and the note stay unless given.
        keep = store.nights.KEEP
        store.nights.save_diary(which, diary, symptoms=checked_symptoms or keep, note=keep if note is None else note,
                                session=session)
    m = compute_metrics(diary)
    click.echo(f"Logged the night of {which}: in bed {format_minutes(m.tib_min)}, "
               f"asleep {format_minutes(m.tst_min)}, efficiency {m.se_pct:.1f}%.")
    if checked_symptoms:
        click.echo(f"Side effects noted. If they go on or worry you: {CONSULT}")
