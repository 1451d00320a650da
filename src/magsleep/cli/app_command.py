"""Opening the Textual app from the command line (Textual loads here, through `magsleep.ui`)."""

from __future__ import annotations

import click

from magsleep import ui
from magsleep.paths import data_dir, default_db_path


def run_app(ctx: click.Context) -> None:
    app = ui.app.make_app(db_path=ctx.obj.get("db") or default_db_path(), private_dir=data_dir())
    app.run()
    if app.return_code:
        ctx.exit(app.return_code)
