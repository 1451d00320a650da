"""The start-up: `magsleep` pauses garbage collection while Textual loads and draws the first
frame; the app resumes it once its file is open, or has failed to open."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys

from tests.support.app import SIZE, app_for, seed, settle


async def test_collection_paused_for_the_start_up_resumes_once_the_file_is_open(db_path):
    gc.disable()  # as `magsleep` does before it imports the app
    try:
        app = app_for(seed(db_path))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.store is not None and gc.isenabled()
    finally:
        gc.enable()


async def test_collection_resumes_when_the_file_cannot_be_opened(db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_text("not a database\n")
    gc.disable()
    try:
        app = app_for(db_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert type(app.screen).__name__ == "StoreErrorScreen" and gc.isenabled()
    finally:
        gc.enable()


def test_only_the_dashboard_pauses_collection(tmp_path):
    """A command (here the status line, and `--help` through click) leaves collection alone."""
    code = ("import gc, sys\nfrom magsleep.__main__ import main\n"
            "sys.argv = ['magsleep', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint('gc', gc.isenabled())\n")
    db = str(tmp_path / "m.db")
    # The last: the dashboard's path, without a terminal, so the app never starts to resume it.
    for args, expected in ((["--db", db, "status"], "gc True"), (["--help"], "gc True"), (["--db", db], "gc False")):
        result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                                stdin=subprocess.DEVNULL)
        assert result.stdout.strip().splitlines()[-1] == expected, result.stdout + result.stderr


async def test_quitting_while_tonight_loads_exits_cleanly(db_path):
    """q just after the start, while tonight arrives and the dose form mounts: taken down
    mid-mount, Textual's Select failed in its own mount handler, or the form was mounted into a
    pane already gone, and the app ended with a traceback (2 of 30 starts before the fix)."""
    for delay in range(10):
        app = app_for(seed(db_path))
        async with app.run_test(size=SIZE) as pilot:
            await asyncio.sleep(delay / 100)
            await pilot.press("q")
        assert app.return_code == 0
