"""Opening the Textual app from the command line (Textual loads here, through `magsleep.ui`)."""

from __future__ import annotations

import click

from magsleep import ui


def run_app(ctx: click.Context) -> None:
    code = ui.app.run_dashboard(ctx.obj.get("db"))
    if code:
        ctx.exit(code)
