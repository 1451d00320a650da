"""Commands that move data: demo, export, import, backup and verify."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from magsleep import local_time, store
from magsleep.cli.group import cli, db_path, fail, open_store
from magsleep.domain.demo import demo_nights
from magsleep.domain.import_file import ImportFailed, ImportFile
from magsleep.domain.nights import DEFAULT_ROLLOVER_HOUR, last_night
from magsleep.domain.parsing import parse_int
from magsleep.domain.text_safety import visible
from magsleep.domain.trackers.night import FORMAT_CHOICES, TrackerFile, check_tz
from magsleep.domain.trackers.preview import TABLE_COLUMNS, Counts, summary_lines, table_rows

if TYPE_CHECKING:
    from magsleep.store.engine import Store


@cli.command()
@click.option("--nights", default="90", metavar="N", show_default=True, help="How many nights (1-40000).")
@click.option("--force", is_flag=True, help="Replace the nights already in the database.")
@click.option("--seed", default=7, type=int, hidden=True)
@click.pass_context
def demo(ctx: click.Context, nights: str, force: bool, seed: int) -> None:
    """Fill the database with realistic demo nights (a baseline, then weeks on magnesium)."""
    count = parse_int(nights, "--nights", minimum=1, maximum=40000)
    db = open_store(ctx)
    generated = demo_nights(last_night(local_time.now()), count, local_time.local_zone(), seed=seed)
    with db.writing() as session:
        existing = store.nights.count_nights(session=session)
        if existing and not force:
            fail(f"{db.path} already holds {existing} nights; use --force to replace them with demo data")
        store.nights.delete_all_nights(session=session)
        store.demo.write_demo(generated, session=session)
    on = sum(1 for n in generated if n.doses)
    click.echo(f"Wrote {count} demo nights ({on} with magnesium) to {db.path}.")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: stdout).")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export every night with its diary, derived metrics, doses, checklist and side effects."""

    db = open_store(ctx, read_only=True)
    with db.reading() as session:
        text = store.transfer.export_all(fmt, session=session)
    if output is None:
        click.echo(_for_stdout(text, fmt), nl=False)
    else:
        store.files.write_private(output, text)
        click.echo(f"Exported to {output}.", err=True)


def _for_stdout(text: str, fmt: str) -> str:
    """The export as stdout can take it: made visible on a terminal (a note edited in the
    database may hold ESC), and exact in JSON whatever the encoding (\\u escapes)."""
    if sys.stdout.isatty():
        text = visible(text, keep_newlines=True)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    if fmt == "json":
        # Outside its strings JSON is ASCII, so escaping every character the encoding lacks keeps
        # the file valid and lossless.
        return _UNCARRIED.sub(lambda m: _json_escape(m.group(), encoding), text)
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        click.echo(f"magsleep: the output encoding ({encoding}) cannot carry some characters; they are "
                   "replaced. Use -o FILE for an exact copy.", err=True)
    return text


_UNCARRIED = re.compile(r"[^\x00-\x7f]+")


def _json_escape(run: str, encoding: str) -> str:
    out = []
    for ch in run:
        try:
            ch.encode(encoding)
            out.append(ch)
        except UnicodeEncodeError:
            out.append(json.dumps(ch)[1:-1])  # \u00e9, or a surrogate pair for an emoji
    return "".join(out)


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="auto", show_default=True,
              help="The file's format; auto recognises it by its content.")
@click.option("--tz", metavar="ZONE", help="The zone of times stored without one (Plees, Fitbit); "
                                           "default: this machine's.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would be imported; write nothing.")
@click.option("--replace", is_flag=True, help="Overwrite nights already in magsleep with the tracker's times.")
@click.pass_context
def import_(ctx: click.Context, file: Path, fmt: str, tz: str | None, dry_run: bool, replace: bool) -> None:
    """Import a magsleep export or a sleep tracker's (Sleepmeter, Plees Tracker, Sleep as Android,
    Fitbit, Apple Health): every record is checked first, then all or nothing is written."""
    if not file.exists():
        fail(f"{file}: no such file")
    if tz is not None:
        check_tz(tz)
    zone = ZoneInfo(tz) if tz else local_time.local_zone()
    # The file is checked before the database is opened for writing: a refused file (or a dry run
    # against no database) creates no folder and no file.
    rollover = DEFAULT_ROLLOVER_HOUR
    if db_path(ctx).exists():
        with open_store(ctx, read_only=True).reading() as session:
            rollover = store.settings.load_settings(session=session).rollover_hour
    try:
        loaded = store.tracker_files.read_import(file, fmt, tz=zone, latest=local_time.now().date(),
                                                 rollover_hour=rollover)
        db = open_store(ctx) if not dry_run or db_path(ctx).exists() else None
        if loaded.own is not None:
            if replace:
                fail("--replace is for a tracker's export; a magsleep export is imported only into nights it "
                     "does not clash with")
            _import_own(ctx, file, loaded.own, db, dry_run)
            return
        assert loaded.tracked is not None
        found = loaded.tracked
        if db is None:
            plan = store.transfer.TrackedPlan(tuple(found.nights), (), (), frozenset())
        else:
            with (db.reading() if dry_run else db.writing()) as session:
                plan = store.transfer.plan_tracked(found, session=session, replace=replace)
                if not dry_run:
                    store.transfer.write_tracked(plan, session=session)
    except ImportFailed as err:
        detail = "\n".join(f"  {visible(p)}" for p in err.problems)
        click.echo(f"magsleep: cannot import {visible(str(file))}: nothing was imported\n{detail}", err=True)
        ctx.exit(2)
    _say_imported(file, found, plan, dry_run)


def _say_imported(file: Path, found: TrackerFile, plan: store.transfer.TrackedPlan, dry_run: bool) -> None:
    """The summary (new / already there / skipped), the preview table on a dry run, the count."""
    counts = Counts(len(plan.new), len(plan.already_there), len(plan.replaced))
    for line in summary_lines(found, counts, dry_run=dry_run):
        click.echo(visible(line))
    rows = table_rows([*plan.new, *plan.replaced] if not dry_run else found.nights)
    if rows and dry_run:
        click.echo("")
        click.echo(_table([TABLE_COLUMNS, *rows]))
    if not dry_run:
        click.echo(f"{counts.new + counts.replaced} nights imported from {visible(str(file))}.")


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(visible(cell).ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows)


def _import_own(ctx: click.Context, file: Path, parsed: ImportFile, db: Store | None, dry_run: bool) -> None:
    """A magsleep export, as before: nights that clash with stored ones are refused."""
    if db is not None:
        with db.writing() as session:
            store.transfer.import_nights(parsed, session=session)
            if dry_run:
                session.rollback()  # the clashes with stored nights are checked; now undo
    verb = "would import" if dry_run else "imported"
    plans = f" and {len(parsed.trials)} trial plan{'s' if len(parsed.trials) != 1 else ''}" if parsed.trials else ""
    click.echo(f"{len(parsed.nights)} nights{plans} {verb} from {visible(str(file))}.")


@cli.command()
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.pass_context
def backup(ctx: click.Context, dest: Path | None) -> None:
    """Take an online backup (default: next to the database, with a timestamp)."""
    db = open_store(ctx, read_only=True)
    target = dest if dest is not None else store.files.backup_name(db.path, "backup", local_time.now())
    if target.is_dir():
        target = target / store.files.backup_name(db.path, "backup", local_time.now()).name
    made = db.backup(target)
    click.echo(f"Backed up to {made}.")


@cli.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Check the database's integrity and foreign keys; exit 1 on a problem."""
    db = open_store(ctx, read_only=True)
    problems = store.health.check_health(db)
    if problems:
        for problem in problems:
            click.echo(f"problem: {problem}", err=True)
        ctx.exit(1)
    click.echo(f"{db.path}: integrity ok, foreign keys ok.")
