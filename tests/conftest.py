"""Shared fixtures: data paths redirected to tmp_path, real SQLite files, a fixed zone."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

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


# Tests that mostly wait on another process (a real terminal, a browser, faketime's clock,
# writers racing for the file, the benchmarks' launches): their waiting should overlap tests that
# keep the cores busy, and none should be left for the end, where it would run alone.
WAITING = ("tests/reach/", "tests/faults/", "tests/ui/test_terminal_", "tests/ui/test_rollover_e2e.py",
           "tests/test_benchmarks_smoke.py", "tests/cli/test_output_encoding.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The order that keeps both cores busy under xdist's "worksteal": it hands worker k the k-th
    quarter of this list, and a worker that runs dry takes the back half of another's queue. So
    each quarter gets a share of each kind: the waiting tests spread through its first half, then
    Pilot tests (about half idle, in `pilot.pause()`) alternating with tests that only compute."""
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    waiting = [item for item in items if item.nodeid.startswith(WAITING)]
    pilot = [item for item in items if item.nodeid.startswith("tests/ui/") and item not in waiting]
    computing = [item for item in items if item not in waiting and item not in pilot]
    ordered: list[pytest.Item] = []
    for k in range(workers):
        rest = spread(pilot[k::workers], computing[k::workers])
        half = len(rest) // 2
        ordered += spread(waiting[k::workers], rest[:half]) + rest[half:]
    items[:] = ordered


def spread(a: list[pytest.Item], b: list[pytest.Item]) -> list[pytest.Item]:
    """`a` and `b` merged evenly, each in its own order."""
    merged: list[pytest.Item] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and i * len(b) <= j * len(a)):
            merged.append(a[i])
            i += 1
        else:
            merged.append(b[j])
            j += 1
    return merged


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is loaded by now (pytest, Textual, magsleep, SQLAlchemy) lives for the whole run:
    frozen, the collector never walks it again; and it collects less often (each Pilot test makes
    some hundred thousand short-lived objects). In 36 Pilot tests the collector took 6.0 of 44 s
    before, 1.3 of 40 s after (gc.callbacks, one process)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(5000, 20, 100)
