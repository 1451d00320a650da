"""Commands that move data: demo, export, import, backup and verify."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from magsleep import local_time, store
from magsleep.cli.group import cli, db_path, fail, open_store
from magsleep.domain.demo import demo_nights
from magsleep.domain.import_file import ImportFailed, parse_file
from magsleep.domain.nights import last_night
from magsleep.domain.parsing import parse_int
from magsleep.domain.text_safety import visible


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
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), help="Default: from the file's extension.")
@click.option("--dry-run", is_flag=True, help="Check the file and report, but write nothing.")
@click.pass_context
def import_(ctx: click.Context, file: Path, fmt: str | None, dry_run: bool) -> None:
    """Import an export (JSON or CSV): every row is checked first, then all or nothing is written."""
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        fail(f"cannot read {file}: {getattr(err, 'strerror', None) or err}")
    fmt = fmt or ("csv" if file.suffix.lower() == ".csv" else "json")
    try:
        parsed = parse_file(text, fmt, latest=local_time.now().date())
        # A dry run against no database has nothing to clash with: it creates no folder, no file.
        if not dry_run or db_path(ctx).exists():
            db = open_store(ctx)
            with db.writing() as session:
                store.transfer.import_nights(parsed, session=session)
                if dry_run:
                    session.rollback()  # the clashes with stored nights are checked; now undo
    except ImportFailed as err:
        detail = "\n".join(f"  {visible(p)}" for p in err.problems)
        click.echo(f"magsleep: cannot import {visible(file)}: nothing was imported\n{detail}", err=True)
        ctx.exit(2)
    verb = "would import" if dry_run else "imported"
    plans = f" and {len(parsed.trials)} trial plan{'s' if len(parsed.trials) != 1 else ''}" if parsed.trials else ""
    click.echo(f"{len(parsed.nights)} nights{plans} {verb} from {visible(file)}.")


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
