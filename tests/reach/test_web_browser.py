"""End to end in Debian's Chromium: open the link `magsleep web` prints, see the dashboard, tick an item.

xterm.js draws on a canvas, so the page is checked by its pixels (a screenshot that is not blank)
and by what a key typed in the browser writes to the database. Skipped, saying why, only where
Chromium or its driver is not installed (CI installs both: .ci/run).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.reach.png_pixels import pixels

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOT_ENV = "MAGSLEEP_BROWSER_SCREENSHOT"
"""Where to keep a copy of the screenshot (screenshots/browser.png is made this way)."""

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="Chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver)")


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "magsleep", "--db", str(db_path), "demo"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    from magsleep.store.engine import Store
    from magsleep.store.settings import save_setting

    store = Store.open(db_path)
    with store.writing() as s:
        save_setting("welcome_seen", True, session=s)
    store.close()
    return db_path


def test_chromium_opens_the_printed_link_and_sees_and_drives_the_dashboard(demo_db, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from magsleep import local_time
    from magsleep.store.reminders import read_reminder_state

    server = subprocess.Popen([sys.executable, "-m", "magsleep", "--db", str(demo_db), "web", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    driver = None
    try:
        assert server.stdout is not None
        server.stdout.readline()
        url = server.stdout.readline().strip()
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,760"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.get(url)
        assert "token=" not in driver.current_url  # the cookie took its place
        WebDriverWait(driver, 60).until(
            lambda d: "-first-byte" in d.execute_script("return document.body.className"))
        shot = tmp_path / "browser.png"
        deadline = time.monotonic() + 30
        while True:  # the trend and the verdict arrive after the first frame
            driver.save_screenshot(str(shot))
            width, height, rows = pixels(shot.read_bytes())
            colours = Counter(rows[y][x:x + 3] for y in range(0, height, 4) for x in range(0, width * 3, 12))
            most = colours.most_common(1)[0][1]
            drawn = len(colours) > 40 and most < 0.9 * sum(colours.values())
            if drawn or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert drawn, f"the page is blank ({len(colours)} colours)"
        if os.environ.get(SHOT_ENV):
            time.sleep(2)  # the last worker's result, for the kept copy
            driver.save_screenshot(os.environ[SHOT_ENV])
        # Keys typed in the browser reach the same database: down, then space ticks the second item
        # (not "Take magnesium": before the rollover hour the demo's last night is tonight, with a
        # dose, and a dose keeps that tick).
        before = read_reminder_state(demo_db, local_time.now()).evening.items[1]
        driver.find_element(By.CSS_SELECTOR, "textarea.xterm-helper-textarea").send_keys(Keys.ARROW_DOWN + " ")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            after = read_reminder_state(demo_db, local_time.now()).evening.items[1]
            if after != before:
                break
            time.sleep(0.2)
        assert after == (before[0], not before[1])
        # Stopped with the tab still open: the server and the app it started both end.
        served_apps = _children(server.pid)
        assert served_apps, "the session's app runs in its own process"
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in served_apps) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(Path(f"/proc/{pid}").exists() for pid in served_apps)
    finally:
        if driver is not None:
            driver.quit()
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def _children(pid: int) -> list[int]:
    """Every process below `pid` (the shell textual-serve starts, and the app under it)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found
