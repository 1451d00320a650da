"""The `magsleep` group, its one-line error handling, and the helpers every command uses."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from magsleep import store
from magsleep.cli.app_command import run_app
from magsleep.domain.errors import InvalidInput
from magsleep.domain.text_safety import visible
from magsleep.paths import DB_ENV, data_dir, default_db_path

if TYPE_CHECKING:
    from magsleep.store.engine import Store


# Each command's module, loaded when the command is asked for (click's hook for lazy commands):
# `magsleep` alone opens the app without loading the import checks, the trial maths or the demo.
COMMAND_MODULES = {
    "demo": "data_commands", "export": "data_commands", "import": "data_commands", "backup": "data_commands",
    "verify": "data_commands", "forms": "guide_commands", "guide": "guide_commands",
    "insights": "insight_commands", "report": "insight_commands", "status": "insight_commands",
    "dose": "log_commands", "sleep": "log_commands", "trial": "trial_commands",
    "remind": "remind_commands", "calendar": "remind_commands", "web": "web_command",
}


class OneLineGroup(click.Group):
    """A group whose errors are one line (``magsleep: <what is wrong>``), and whose commands load
    when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMAND_MODULES:
            importlib.import_module(f"magsleep.cli.{COMMAND_MODULES[name]}")  # registers it on `cli`
        return super().get_command(ctx, name)

    # click's main is overloaded on standalone_mode; this one always runs standalone and exits.
    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,  # type: ignore[override]
             **extra: Any) -> NoReturn:
        extra.pop("standalone_mode", None)
        try:
            code = super().main(args=args, prog_name=prog_name or "magsleep", standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("magsleep: aborted", err=True)
            sys.exit(1)
        except click.ClickException as err:
            click.echo(f"magsleep: {_one_line(err.format_message())}", err=True)
            sys.exit(err.exit_code)
        except InvalidInput as err:
            click.echo(f"magsleep: {_one_line(err.field)}: {_one_line(err.message)}", err=True)
            sys.exit(2)
        except store.errors.StoreError as err:
            click.echo(f"magsleep: {_one_line(str(err))}", err=True)
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)


def _one_line(text: str) -> str:
    """One line, with any control character from a file or an argument made visible."""
    return visible(" ".join(text.split()))


def fail(message: str) -> NoReturn:
    """Stop with a one-line message and exit code 2."""
    raise click.UsageError(message)


def db_path(ctx: click.Context) -> Path:
    """The database named by --db / $MAGSLEEP_DB / the default."""
    return Path(ctx.obj.get("db") or default_db_path()).expanduser()


def open_store(ctx: click.Context, *, read_only: bool = False) -> Store:
    """Open the database named by --db / $MAGSLEEP_DB / the default; closed when the command ends.

    A command that only reads passes `read_only`: a mistyped --db then creates nothing.
    """
    db = store.engine.Store.open(db_path(ctx), private_dir=data_dir(), read_only=read_only)
    ctx.call_on_close(db.close)
    return db


@click.group(cls=OneLineGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=True, path_type=Path), envvar=DB_ENV,
              help=f"The database file (default: magsleep.db in your data directory; env {DB_ENV}).")
@click.version_option(package_name="magsleep")
@click.pass_context
def cli(ctx: click.Context, db: Path | None) -> None:
    """magsleep: track magnesium and sleep, and see honestly whether it helps.

    With no command, opens the dashboard.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    if ctx.invoked_subcommand is None:
        run_app(ctx)
