"""The blinded trial on the command line (issue 23): `trial start --blind --sheet FILE` (through
`start_blinded`), `trial guess A|B` and `trial unblind FILE|--code CODE`.

magsleep never prints or stores which bag holds magnesium before the sheet is checked at the end.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from magsleep import local_time, store
from magsleep.cli.group import open_store
from magsleep.cli.trial_commands import trial
from magsleep.domain import blinding
from magsleep.domain.errors import InvalidInput
from magsleep.domain.n_of_1 import make_plan
from magsleep.domain.nights import last_night, night_of
from magsleep.domain.parsing import parse_date
from magsleep.domain.text_safety import visible
from magsleep.domain.trial_plan import BAGS

MAX_SHEET_BYTES = 64 * 1024


def _sheet_path(sheet: str | None) -> Path:
    """The new sheet's path, refused (before anything is drawn or stored) if it is there already,
    even as a symlink: a sheet never overwrites a file, nor writes through a link."""
    if not sheet:
        raise InvalidInput("--sheet", "a blinded trial needs --sheet FILE: the helper's sheet is written there")
    path = Path(sheet)
    if os.path.lexists(path):
        raise InvalidInput("--sheet", f"{visible(sheet)} already exists: a sheet is written only to a new file")
    if not path.parent.is_dir():
        raise InvalidInput("--sheet", f"the folder of {visible(sheet)} does not exist")
    return path


def _write_sheet(path: Path, text: str) -> None:
    # O_EXCL|O_NOFOLLOW: never an existing file or a link put there since the check; 0600: the key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as err:
        raise InvalidInput("--sheet", f"{visible(str(path))} cannot be written ({err.strerror})") from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode())
        os.fsync(fd)
    except OSError as err:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise InvalidInput("--sheet", f"{visible(str(path))} cannot be written ({err.strerror})") from None
    os.close(fd)


def start_blinded(ctx: click.Context, now: datetime, first: date | None, outcome: str, numbers: dict[str, Any],
                  sheet: str | None) -> None:
    """Make a blinded plan: the sheet is written inside the plan's transaction, so there is never
    a stored plan without its sheet (nor, if the commit fails, a sheet without its plan)."""
    path = _sheet_path(sheet)
    blind = blinding.draw_blind()
    db = open_store(ctx)
    written = False
    try:
        with db.writing() as session:
            tonight = night_of(now, store.settings.load_settings(session=session).rollover_hour)
            if first is not None and first < tonight:
                raise InvalidInput("--start", f"{first} is in the past; a plan is made before its nights")
            plan = store.trials.add_trial(make_plan(first or tonight, now.isoformat(timespec="seconds"),
                                                    outcome=outcome, commitment=blind.commitment, **numbers),
                                          tonight, session=session)
            _write_sheet(path, blinding.sheet_text(plan, blind))
            written = True
    except BaseException:
        if written:
            path.unlink(missing_ok=True)
        raise
    click.echo(f"Blinded trial plan {plan.short_fingerprint} made {plan.created_at}: {plan.start} to {plan.end}.")
    click.echo(f"The helper's sheet is {visible(str(path))} (readable by you only): give it to your helper, who "
               f"fills bags A and B ({plan.pairs * plan.period_nights} doses each) and keeps it until the end.")
    click.echo(f"magsleep keeps only a commitment to it ({plan.commitment}); which bag holds magnesium is sealed.")
    for s in plan.schedule():
        if s.period_night == 1:
            click.echo(f"  from {s.night}  {'baseline: no bag' if s.pair is None else f'pair {s.pair}: bag {s.phase}'}")
    click.echo("Each morning, 'magsleep trial guess A|B' records which bag you think last night was.")


@trial.command()
@click.argument("bag", metavar="A|B")
@click.option("--night", metavar="DATE", help="The night guessed, YYYY-MM-DD (default: last night).")
@click.pass_context
def guess(ctx: click.Context, bag: str, night: str | None) -> None:
    """Record which bag you think a night was (the blinding check, shown only at the end)."""
    value = bag.strip().upper()
    if value not in BAGS:
        raise InvalidInput("guess", f"{visible(bag[:10])!r} is not a bag: A or B")
    now = local_time.now()
    chosen = parse_date(night, "--night") if night else None
    db = open_store(ctx)
    with db.writing() as session:
        rollover = store.settings.load_settings(session=session).rollover_hour
        day = chosen or last_night(now, rollover)
        if day > night_of(now, rollover):
            raise InvalidInput("--night", f"{day} has not come yet")
        store.blinding.record_guess(day, value, now.isoformat(timespec="seconds"), session=session)
    click.echo(f"Guess for the night of {day}: bag {value}. Shown with the result after unblinding.")


def _read_sheet_file(sheet: str) -> str:
    try:
        with open(sheet, "rb") as handle:
            data = handle.read(MAX_SHEET_BYTES + 1)
    except OSError as err:
        raise InvalidInput("sheet", f"{visible(sheet)} cannot be read ({err.strerror})") from None
    if len(data) > MAX_SHEET_BYTES:
        raise InvalidInput("sheet", f"{visible(sheet)} is too big to be a helper's sheet")
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise InvalidInput("sheet", f"{visible(sheet)} is not a text file") from None


@trial.command()
@click.argument("sheet", required=False, metavar="FILE")
@click.option("--code", metavar="CODE", help="The unblinding code from the sheet, instead of the file.")
@click.option("--yes", is_flag=True, help="Unblind before the planned end without asking.")
@click.pass_context
def unblind(ctx: click.Context, sheet: str | None, code: str | None, yes: bool) -> None:
    """Check the helper's sheet against the commitment, then reveal which bag held magnesium."""
    if (sheet is None) == (code is None):
        raise InvalidInput("unblind", "give the sheet FILE or --code CODE (one of them)")
    text = _read_sheet_file(sheet) if sheet is not None else None
    now = local_time.now()
    db = open_store(ctx)

    def checked(session: Any) -> tuple[Any, blinding.Blind]:
        plan = store.blinding.blinded_plan(session=session)
        if not plan.sealed:
            raise InvalidInput("trial", f"the plan {plan.short_fingerprint} was already unblinded on "
                                        f"{plan.unblinded_at}")
        if text is not None:
            return plan, blinding.read_sheet(text, plan)
        assert code is not None
        blind = blinding.read_code(code)
        blinding.verify(plan, blind, "--code")
        return plan, blind

    with db.reading() as session:  # checked before asking, so a wrong sheet is never confirmed
        plan, _ = checked(session)
        rollover = store.settings.load_settings(session=session).rollover_hour
        last, tonight = last_night(now, rollover), night_of(now, rollover)
    if last < plan.end and not yes:
        if not click.confirm(f"The plan runs until the night of {plan.end}: unblind early? The result will be "
                             "marked \"unblinded early\"", default=False, err=True):
            click.echo("Nothing changed: the trial stays blinded.", err=True)
            ctx.exit(1)
    with db.writing() as session:
        plan, blind = checked(session)
        opened = store.blinding.unblind(plan, blind, now.isoformat(timespec="seconds"), tonight, session=session)
        data = store.views.trial_nights(opened, session=session)
        guesses = store.blinding.guesses(opened, session=session)
    other = "B" if opened.magnesium_bag == "A" else "A"
    early = " early" if opened.unblinded_early else ""
    click.echo(f"Unblinded{early}: bag {opened.magnesium_bag} held magnesium, bag {other} did not "
               "(the sheet matches the commitment).")
    click.echo(blinding.analyse_blinded(opened, data, last, guesses).text())
