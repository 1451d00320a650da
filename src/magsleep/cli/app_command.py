"""Opening the Textual app from the command line (Textual loads here, through `magsleep.ui`)."""

from __future__ import annotations

import os
import sys

import click

from magsleep import ui
from magsleep.paths import data_dir, default_db_path


def run_app(ctx: click.Context) -> None:
    # Without a terminal (cron, a pipe, `</dev/null`) Textual would draw into nothing forever.
    # It reads keys from stdin and draws on stderr: those two must be the terminal.
    # `magsleep web` runs the app with textual-serve's web driver, which talks over pipes.
    served = os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver")
    if not served and not (sys.stdin.isatty() and sys.stderr.isatty()):
        click.echo("magsleep: the dashboard needs a terminal; run it in one, or use a command "
                   "(magsleep --help lists them)", err=True)
        ctx.exit(2)
    app = ui.app.make_app(db_path=ctx.obj.get("db") or default_db_path(), private_dir=data_dir())
    app.run()
    if app.return_code:
        ctx.exit(app.return_code)
