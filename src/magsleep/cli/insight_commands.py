"""`magsleep insights` and `magsleep report`: the honest answer on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from magsleep import local_time, render, store
from magsleep.cli.group import cli, fail, open_store
from magsleep.domain.comparison import describe
from magsleep.domain.nights import last_night
from magsleep.domain.parsing import parse_date
from magsleep.domain.text_safety import visible
from magsleep.paths import default_db_path
from magsleep.status_line import line
from magsleep.status_line import status as read_status


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Every comparison, the trials and the verdict as JSON.")
@click.pass_context
def insights(ctx: click.Context, as_json: bool) -> None:
    """Is it working? Comparisons with 95% intervals, first weeks, the randomised trial and the verdict."""
    db = open_store(ctx, read_only=True)
    with db.reading() as session:
        last = last_night(local_time.now(), store.settings.load_settings(session=session).rollover_hour)
        result = store.insights.load_insights(last, session=session)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(result.verdict)
    if result.randomised is not None and (step := result.randomised.next_step()):
        click.echo(f"Next: {step}")
    elif result.randomised is None and result.effect.basis == "diary":
        click.echo("A randomised trial can tell magnesium from everything else: 'magsleep trial plan' sizes one "
                   "to your nights, 'magsleep trial start' starts it.")
    if result.plan_notice:
        click.echo(f"! {visible(result.plan_notice)}")
    click.echo(result.first_weeks.progress_text())
    click.echo(result.first_weeks.dose_rise_text())
    for kind, title in (("on_off", "Nights with vs without magnesium"), ("before_after", "Since starting vs before")):
        click.echo(f"\n{title}:")
        for c in result.comparisons:
            if c.kind == kind:
                click.echo(f"  {describe(c)}")
    if result.advice:
        click.echo("")
        for advice in result.advice:
            click.echo(f"! {advice}")


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: stdout).")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), help="Default: from -o's extension, else md.")
@click.option("--from", "start", metavar="DATE", help="First night, YYYY-MM-DD.")
@click.option("--to", "end", metavar="DATE", help="Last night, YYYY-MM-DD.")
@click.pass_context
def report(ctx: click.Context, output: Path | None, fmt: str | None, start: str | None, end: str | None) -> None:
    """A report for a clinician: the sleep-diary chart, every night, the trial (printable HTML or Markdown).

    A Markdown report written with -o gets its charts as SVG files beside it."""
    today = local_time.now().date()
    first = parse_date(start, "--from", latest=today) if start else None
    final = parse_date(end, "--to") if end else None
    if first and final and final < first:
        fail("--to is before --from")
    fmt = fmt or ("html" if output is not None and output.suffix.lower() in (".html", ".htm") else "md")
    db = open_store(ctx, read_only=True)
    with db.reading() as session:
        last = last_night(local_time.now(), store.settings.load_settings(session=session).rollover_hour)
        if output is None:
            # Markdown or HTML is text for a terminal here: no control character reaches it raw.
            click.echo(visible(render.report.build_report(fmt, last, session=session, start=first, end=final,
                                                          made=today), keep_newlines=True), nl=False)
            return
        render.report.write_report(output, fmt, last, session=session, start=first, end=final, made=today)
    click.echo(f"Report written to {output}.", err=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="The same as JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """One line for a shell prompt or tmux: tonight's checklist and dose, last night's log.

    Usually answered before this command line is loaded at all (see magsleep.status_line).
    """
    data = read_status(Path(ctx.obj.get("db") or default_db_path()).expanduser(), local_time.now())
    click.echo(json.dumps(data) if as_json else visible(line(data)))
