"""`magsleep web`: textual-serve's own server running in the test, behind the guard.

Token to cookie, Host, Origin, no listings, one session, the environment the app gets, and the
served app writing to the same database; the command's refusals run as real processes.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from magsleep.web.guard import SECOND_TAB, GuardedServer, MagsleepAppService


@pytest.fixture
def welcomed(opened: Path) -> Path:
    """A database past the first-run welcome: the dashboard comes first."""
    from magsleep.store.engine import Store
    from magsleep.store.settings import save_setting

    store = Store.open(opened)
    with store.writing() as s:
        save_setting("welcome_seen", True, session=s)
    store.close()
    return opened


@pytest.fixture
async def served(welcomed: Path):
    """The guarded server on a free port, and a client that sends the right Host unless told otherwise."""
    server = GuardedServer(welcomed, port=0)
    test_server = TestServer(await server._make_app(), host="127.0.0.1", port=0)
    client = TestClient(test_server)
    await client.start_server()
    server.bound(test_server.port)
    try:
        yield server, client
    finally:
        await client.close()
    deadline = time.monotonic() + 15
    while children() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert children() == [], "the served app processes end with the server"


def children() -> list[int]:
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    alive = []
    for pid in found:  # a zombie not yet reaped by asyncio is gone already
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def host(server: GuardedServer, **extra: str) -> dict[str, str]:
    return {"Host": server.authority, **extra}


async def log_in(server: GuardedServer, client: TestClient) -> None:
    response = await client.get(f"/?token={server.token}", headers=host(server), allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and server.token not in cookie


async def screen_text(ws, wanted: bytes, timeout: float = 30.0) -> bytes:
    """Terminal bytes from the served app until `wanted` appears."""
    got = b""
    deadline = time.monotonic() + timeout
    while wanted not in got:
        message = await asyncio.wait_for(ws.receive(), max(0.1, deadline - time.monotonic()))
        if message.type == WSMsgType.BINARY:
            got += message.data
        elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
            break
    return got


async def test_the_token_sets_a_cookie_and_nothing_is_served_without_it(served):
    server, client = served
    for path in ("/", "/static/js/textual.js", "/ws", "/download/abc", "/static/"):
        response = await client.get(path, headers=host(server))
        assert response.status == 403, path
        assert (await response.text()).startswith("magsleep: ")
    wrong = await client.get("/?token=" + "x" * 43, headers=host(server), allow_redirects=False)
    assert wrong.status == 403 and "Set-Cookie" not in wrong.headers
    await log_in(server, client)
    page = await client.get("/", headers=host(server))
    assert page.status == 200 and "textual.js" in await page.text()
    assert page.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page.headers[
        "Content-Security-Policy"]
    assert (await client.get("/static/js/textual.js", headers=host(server))).status == 200
    listing = await client.get("/static/", headers=host(server))
    assert listing.status in (403, 404) and "textual.js" not in await listing.text()
    assert (await client.get("/static/js/", headers=host(server))).status in (403, 404)


async def test_the_host_must_be_the_printed_address(served):
    server, client = served
    await log_in(server, client)
    for other in ("evil.example", f"evil.example:{server.port}", f"localhost:{server.port}", "127.0.0.1"):
        response = await client.get("/", headers={"Host": other})
        assert response.status == 421, other
        response = await client.get(f"/?token={server.token}", headers={"Host": other}, allow_redirects=False)
        assert response.status == 421 and "Set-Cookie" not in response.headers


async def test_the_websocket_needs_the_cookie_and_our_origin_then_shows_the_dashboard(served, opened):
    server, client = served
    no_cookie = await client.get("/ws", headers=host(server, Origin=server.public_url))
    assert no_cookie.status == 403
    await log_in(server, client)
    for origin in ("http://evil.example", f"http://localhost:{server.port}", "null"):
        response = await client.get("/ws", headers=host(server, Origin=origin))
        assert response.status == 403, origin
    assert (await client.get("/ws", headers=host(server))).status == 403  # no Origin at all
    not_a_socket = await client.get("/ws", headers=host(server, Origin=server.public_url))
    assert not_a_socket.status == 400 and (await not_a_socket.text()).startswith("magsleep: ")
    for path in ("/static", "/static/../server.py", "/static/%2e%2e/server.py"):
        assert (await client.get(path, headers=host(server))).status in (403, 404), path
    assert (await client.get("/download/abc", headers=host(server, Origin="http://evil.example"))).status == 403

    async with client.ws_connect("/ws?width=100&height=30", headers=host(server, Origin=server.public_url)) as ws:
        assert b"Tonight" in await screen_text(ws, b"Tonight")
        # One session at a time: a second tab is told, in its terminal, that one is open.
        async with client.ws_connect("/ws", headers=host(server, Origin=server.public_url)) as second:
            told = await screen_text(second, b"reload this page")
            assert SECOND_TAB.encode() in told
        # The served app writes to the same file: space ticks the first checklist item.
        await ws.send_str(json.dumps(["stdin", " "]))
        from magsleep import local_time
        from magsleep.store.reminders import read_reminder_state

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            items = read_reminder_state(opened, local_time.now()).evening.items
            if items[0][1]:
                break
            await asyncio.sleep(0.2)
        assert items[0] == ("Take magnesium", True)
        # Live refresh: a dose logged from a terminal appears in the browser's dashboard.
        logged = subprocess.run([sys.executable, "-m", "magsleep", "--db", str(opened), "dose", "123"],
                                capture_output=True, text=True, timeout=60)
        assert logged.returncode == 0, logged.stderr
        assert b"123 / 350" in await screen_text(ws, b"123 / 350")  # the limit bar
    # The first session over, the next one is let in.
    await asyncio.sleep(0.5)
    async with client.ws_connect("/ws", headers=host(server, Origin=server.public_url)) as ws:
        assert b"Tonight" in await screen_text(ws, b"Tonight")


def test_the_served_app_gets_only_the_environment_it_needs(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_x")
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))

    async def noop(*_args: object) -> None:
        return None

    from textual_serve.download_manager import DownloadManager

    service = MagsleepAppService("true", write_bytes=noop, write_str=noop, close=noop,
                                 download_manager=DownloadManager())
    env = service._build_environment(90, 30)
    assert "AWS_SECRET_ACCESS_KEY" not in env and "GITHUB_TOKEN" not in env
    assert env["TEXTUAL_DRIVER"].endswith(":WebDriver") and env["COLUMNS"] == "90" and "PATH" in env


def test_the_command_runs_the_same_app_on_the_same_file_by_absolute_paths(opened, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    server = GuardedServer(Path(os.path.relpath(opened, tmp_path)), port=0)
    import shlex

    argv = shlex.split(server.command)
    assert argv[0] == sys.executable and argv[1:3] == ["-m", "magsleep"]
    assert argv[3:] == ["--db", str(opened)]
    odd = tmp_path / "it's $HOME; a `b` & c" / "m.db"
    assert shlex.split(GuardedServer(odd, port=0).command)[3:] == ["--db", str(odd)]  # run through a shell


def _start(db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "magsleep", "--db", str(db), "web", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_exposed_host_needs_the_flag_and_a_busy_port_is_one_line(opened):
    done = subprocess.run([sys.executable, "-m", "magsleep", "--db", str(opened), "web", "--host", "0.0.0.0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "--i-know-this-is-exposed" in done.stderr and done.stderr.count("\n") == 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "magsleep", "--db", str(opened), "web", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"magsleep: port {port} on 127.0.0.1 is in use; try another with --port\n"


def _outward_address() -> str | None:
    """This machine's address towards the network (a UDP "connect" sends nothing), if not loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_an_exposed_address_needs_the_flag_warns_and_every_address_is_refused(opened):
    for args in (["--host", "0.0.0.0", "--i-know-this-is-exposed"], ["--host", "::", "--i-know-this-is-exposed"]):
        done = subprocess.run([sys.executable, "-m", "magsleep", "--db", str(opened), "web", *args],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and done.stdout == "" and "listens on every address" in done.stderr
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to serve on")
    done = subprocess.run([sys.executable, "-m", "magsleep", "--db", str(opened), "web", "--host", address],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    process = _start(opened, "--host", address, "--i-know-this-is-exposed", "--port", "0")
    try:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        assert process.stdout.readline().startswith(f"http://{address}:")
        assert process.stderr.readline().startswith(f"magsleep: warning: serving on {address}")
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def test_the_command_prints_a_fresh_token_url_and_stops_cleanly(opened):
    urls = []
    for _ in range(2):
        process = _start(opened, "--port", "0")
        try:
            assert process.stdout is not None
            process.stdout.readline()
            urls.append(process.stdout.readline().strip())
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
    for url in urls:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]{43}", url), url
    assert urls[0].split("token=")[1] != urls[1].split("token=")[1]
