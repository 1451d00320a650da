"""textual-serve's Server with the guard a health diary needs.

textual-serve (pinned: this module relies on its 1.1.2 internals, `Server._make_app`,
`handle_websocket` and `AppService._build_environment`) has no authentication, no Origin or Host
check, lists its static folder, and starts every connection's app with the whole environment. Here:

- a fresh random token per start, in the printed URL; the first request bearing it gets an
  HttpOnly, SameSite=Strict cookie and is redirected to the URL without it; any request without
  the cookie is refused (403), compared in constant time (`hmac.compare_digest`);
- the Host header must be the printed URL's address (421 otherwise: no DNS rebinding), and the
  websocket and downloads need an Origin equal to the server's own (403: no cross-site websocket);
- no directory listing; one session at a time (a second tab is told one is open);
- the app runs as `python -m magsleep --db PATH` by absolute paths, with only the environment it
  needs (no tokens, keys or other secrets of the shell that started the server).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
import shlex
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("magsleep.web")

KEEP_ENV = ("PATH", "HOME", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "PYTHONPATH",
            "VIRTUAL_ENV", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
            "FAKETIME", "LD_PRELOAD", "FAKETIME_DONT_FAKE_MONOTONIC")
"""What the served app may inherit (faketime's variables so a test under faketime stays under it)."""
SERVE_ENV = ("TEXTUAL_DRIVER", "TEXTUAL_FPS", "TEXTUAL_COLOR_SYSTEM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION",
             "COLUMNS", "ROWS")
"""What textual-serve sets for the web driver."""
SECOND_TAB = ("\x1b[2J\x1b[Hmagsleep is already open in another tab or window: close it there, "
              "then reload this page.\r\n")
RELEASE_WAIT_S = 3.0
"""How long a new websocket waits for the previous session to end (a page reload closes the old
one a moment after it opens the new one)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """The host as it appears in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host


def app_command(db_path: Path) -> str:
    """The command textual-serve runs per connection (through a shell): the same app, the same file."""
    return shlex.join([sys.executable, "-m", "magsleep", "--db", str(db_path.absolute())])


class MagsleepAppService(AppService):
    """One connection's app process, with only the environment it needs."""

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        full = super()._build_environment(width=width, height=height)
        return {k: v for k, v in full.items() if k in KEEP_ENV or k in SERVE_ENV}


class GuardedServer(Server):
    """textual-serve's Server serving magsleep behind the guard described in this module."""

    def __init__(self, db_path: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
        super().__init__(app_command(db_path), host=host, port=port, title="magsleep")
        self.token = secrets.token_urlsafe(32)
        self.session_secret = secrets.token_urlsafe(32)
        """The cookie's value: not the token, so the URL printed on a screen is not the cookie."""
        self.sockets: set[web.WebSocketResponse] = set()
        self.session_free = asyncio.Event()
        self.session_free.set()
        self.bound(port)

    def bound(self, port: int) -> None:
        """Set the port actually bound (port 0 picks a free one) and the addresses made from it."""
        self.port = port
        self.authority = f"{url_host(self.host)}:{port}"
        self.public_url = f"http://{self.authority}"
        self.cookie_name = f"magsleep_{port}"  # a cookie is shared by every port of a host

    @property
    def url(self) -> str:
        """The URL to open, with the token."""
        return f"{self.public_url}/?token={self.token}"

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Nothing printed (textual-serve prints its logo): the command prints the URL."""

    async def on_shutdown(self, app: web.Application) -> None:
        for socket in list(self.sockets):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b"magsleep web stopped")

    def _same(self, given: str | None, wanted: str) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), wanted.encode())

    @web.middleware
    async def guard(self, request: web.Request,
                    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        if request.headers.get("Host") != self.authority:
            return web.Response(status=421, text="magsleep: this server answers only at the address it printed\n")
        token = request.query.get("token")
        if token is not None:
            if not self._same(token, self.token):
                return forbidden("the link's token is not this server's (it changes on every start)")
            response = web.Response(status=303, headers={"Location": _without_token(request)})
            response.set_cookie(self.cookie_name, self.session_secret, httponly=True, samesite="Strict", path="/")
            secure(response)
            return response
        if not self._same(request.cookies.get(self.cookie_name), self.session_secret):
            return forbidden("open the link that 'magsleep web' printed (with its token)")
        needs_origin = request.path == "/ws" or request.path.startswith("/download/")
        if needs_origin and request.headers.get("Origin") != self.public_url:
            return forbidden("this request comes from another site")
        answer = await handler(request)
        if not answer.prepared:
            secure(answer, csp=self._policy() if request.path == "/" else None)
        return answer

    def _policy(self) -> str:
        # The page's own scripts and styles only (its Google Fonts link is not loaded: no third party
        # learns that the diary is open), and the websocket to this server alone.
        return ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                f"connect-src 'self' ws://{self.authority}; img-src 'self' data:; font-src 'self' data:; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, with one session at a time and MagsleepAppService."""
        if not web.WebSocketResponse().can_prepare(request).ok:  # (textual-serve's own dropped the connection)
            raise web.HTTPBadRequest(text="magsleep: /ws is the dashboard's websocket, not a page\n")
        try:
            await asyncio.wait_for(self.session_free.wait(), RELEASE_WAIT_S)
        except TimeoutError:
            busy = web.WebSocketResponse()
            await busy.prepare(request)
            await busy.send_bytes(SECOND_TAB.encode())
            await busy.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"one session at a time")
            return busy
        self.session_free.clear()
        websocket = web.WebSocketResponse(heartbeat=15)
        self.sockets.add(websocket)
        width = _size(request.query.get("width"), 80)
        height = _size(request.query.get("height"), 24)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = MagsleepAppService(
                self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=lambda: _close(websocket), download_manager=self.download_manager, debug=self.debug)
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a broken connection or message: logged, and the session ends
            log.warning("session ended: %s", error)
        finally:
            if app_service is not None:
                await app_service.stop()
            self.sockets.discard(websocket)
            self.session_free.set()
        return websocket


async def _close(websocket: web.WebSocketResponse) -> None:
    await websocket.close()


def _without_token(request: web.Request) -> str:
    """The same path and query, less the token (so it does not stay in the address bar or history)."""
    return str(request.rel_url.with_query({k: v for k, v in request.rel_url.query.items() if k != "token"}))


def _size(text: str | None, default: int) -> int:
    try:
        return max(10, min(500, int(text or default)))
    except ValueError:
        return default


def forbidden(why: str) -> web.Response:
    response = web.Response(status=403, text=f"magsleep: {why}\n")
    secure(response)
    return response


def secure(response: web.StreamResponse, csp: str | None = None) -> None:
    """Headers every answer carries: never framed, never cached, no Referer with a token in it."""
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    if csp:
        response.headers["Content-Security-Policy"] = csp

