"""`magsleep web`: the same dashboard in a browser, served by textual-serve behind `magsleep.web.guard`."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TYPE_CHECKING

import click

from magsleep.cli.group import cli, db_path
from magsleep.domain.text_safety import visible

if TYPE_CHECKING:
    from magsleep.web.guard import GuardedServer


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDR",
              help="The address to listen on; anything but loopback needs --i-know-this-is-exposed.")
@click.option("--i-know-this-is-exposed", "exposed", is_flag=True,
              help="Serve on a non-loopback address (anyone who can reach it and has the link sees the diary).")
@click.pass_context
def web(ctx: click.Context, port: int, host: str, exposed: bool) -> None:
    """Serve the dashboard to a browser on this computer: open the printed link (Ctrl+C stops)."""
    from magsleep.web.guard import GuardedServer, is_loopback  # aiohttp and textual-serve: only here

    shown = visible(host)  # typed text, echoed: no control character reaches the terminal
    if not is_loopback(host) and not exposed:
        click.echo(f"magsleep: --host {shown} would serve your health diary beyond this computer; "
                   "add --i-know-this-is-exposed if you mean it", err=True)
        sys.exit(2)
    if host in ("0.0.0.0", "::", ""):
        click.echo(f"magsleep: --host {shown or repr(host)} listens on every address; give the one address to "
                   "serve on (the link names it, and only requests to it are answered)", err=True)
        sys.exit(2)
    if not is_loopback(host):
        click.echo(f"magsleep: warning: serving on {shown}, not only this computer: anyone who can reach it "
                   "and has the link can read and change your diary (and the link travels unencrypted)", err=True)
    path = db_path(ctx)
    if not path.is_file():
        click.echo(f"magsleep: no database at {path} yet (open magsleep once, or pass --db)", err=True)
        sys.exit(2)
    sys.exit(asyncio.run(_serve(GuardedServer(path, host=host, port=port))))


async def _serve(server: GuardedServer) -> int:
    from aiohttp import web

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # before the link is printed: a stop right after it is clean
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(await server._make_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, server.host, server.port)
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        why = "is in use" if err.errno in (98, 48) else f"cannot be used ({err.strerror or err})"
        click.echo(f"magsleep: port {server.port} on {server.host} {why}; try another with --port", err=True)
        return 1
    server.bound(runner.addresses[0][1])
    click.echo(f"magsleep is served at {server.public_url} for one browser tab. Open this link (Ctrl+C stops):")
    click.echo(server.url)
    sys.stdout.flush()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
    return 0
