"""`magsleep forms` and `magsleep guide`: the facts the guidance rests on, with sources."""

from __future__ import annotations

import json

import click

from magsleep.cli.group import cli
from magsleep.domain.guidance import ASK, guide_text
from magsleep.domain.guidance import forms as all_forms


@cli.command()
@click.option("--json", "as_json", is_flag=True,
              help='{"forms": [{"name", "aliases", "elemental_pct", "notes", "sources"}]}')
def forms(as_json: bool) -> None:
    """Every magnesium form magsleep knows: elemental %, what 100 mg elemental weighs, notes, sources."""
    facts = all_forms()
    if as_json:
        click.echo(json.dumps({"forms": [f.as_dict() for f in facts]}, indent=2))
        return
    click.echo(f"{'form':30} {'% Mg':>6} {'100 mg Mg is':>13}")
    for f in facts:
        pct = f"{f.elemental_pct:.1f}" if f.elemental_pct is not None else "?"
        weight = f"{f.compound_for_100mg:,} mg" if f.compound_for_100mg is not None else "(label %)"
        click.echo(f"{f.form.name:30} {pct:>6} {weight:>13}")
        for note in f.notes:
            click.echo(f"    {note}")
    click.echo("\nA Supplement Facts label gives the elemental amount (\"Magnesium (as glycinate) 200 mg\"); "
               "the compound weighs more. No form is recommended here. " + ASK)


@cli.command()
def guide() -> None:
    """Cautions and timing, with their sources: worth reading before starting."""
    click.echo(guide_text())
