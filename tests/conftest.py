"""Shared fixtures: data paths redirected to tmp_path, real SQLite files, a fixed zone."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

from tests.support.order import for_worksteal
from tests.support.parsed_css import share_parsed_css


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data directory and database path and a known time zone."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("MAGSLEEP_DB", str(tmp_path / "data" / "magsleep.db"))
    monkeypatch.setenv("TZ", "Europe/London")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "magsleep.db"


@pytest.fixture
def run(db_path: Path):
    """The real `magsleep` command group, in-process, on this test's database."""
    from click.testing import CliRunner

    from magsleep.cli import cli

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def store(db_path: Path):
    from magsleep.store.engine import Store

    opened = Store.open(db_path)
    yield opened
    opened.close()


def pytest_configure(config: pytest.Config) -> None:
    """Bytecode is cached, even where PYTHONDONTWRITEBYTECODE is set (as on these machines): the
    tests' (pytest rewrote the asserts of 200 modules in each of the five processes, 1.5 s each)
    and, once before the workers start, magsleep's, as an installed copy has it (every `magsleep`
    a test starts compiled what it imports again: about 50 ms of each of some hundred launches).
    Textual's parsed CSS is shared by the apps each process starts (tests/support/parsed_css.py)."""
    sys.dont_write_bytecode = False
    share_parsed_css()
    if not hasattr(config, "workerinput"):
        import compileall

        import magsleep

        compileall.compile_dir(Path(magsleep.__file__).parent, quiet=1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items[:] = for_worksteal(items, getattr(config, "workerinput", {}).get("workercount", 1))


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is loaded by now (pytest, Textual, magsleep, SQLAlchemy) lives for the whole run:
    frozen, the collector never walks it again; and it collects less often (each Pilot test makes
    some hundred thousand short-lived objects). In 36 Pilot tests the collector took 6.0 of 44 s
    before, 1.3 of 40 s after (gc.callbacks, one process)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(5000, 20, 100)
