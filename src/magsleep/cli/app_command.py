"""Opening the Textual app from the command line."""

from __future__ import annotations

import click


def run_app(ctx: click.Context) -> None:
    from magsleep.paths import data_dir, default_db_path
    from magsleep.ui.app import make_app

    app = make_app(db_path=ctx.obj.get("db") or default_db_path(), private_dir=data_dir())
    app.run()
    if app.return_code:
        ctx.exit(app.return_code)
