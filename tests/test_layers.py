"""The layers stay honest: domain and store never load Textual; the domain never loads the database."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


def loaded_after(imports: str, banned: tuple[str, ...]) -> list[str]:
    """Top-level packages in `banned` that a fresh interpreter has loaded after running `imports`."""
    code = (f"import sys, pkgutil, importlib\n{imports}\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(banned)!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout)  # our own child's printed list


def test_domain_and_store_do_not_import_textual():
    imports = ("import magsleep.domain, magsleep.store, magsleep.store.engine, magsleep.store.transfer, "
               "magsleep.domain.demo, magsleep.domain.sleep_diary, magsleep.cli")
    assert loaded_after(imports, ("textual", "textual_plotext", "plotext")) == []


def test_domain_does_not_import_the_database():
    imports = ("import magsleep.domain as d\n"
               "[importlib.import_module('magsleep.domain.' + m.name) for m in pkgutil.iter_modules(d.__path__)]")
    assert loaded_after(imports, ("sqlmodel", "sqlalchemy", "sqlite3", "textual")) == []


def test_the_first_look_at_tonight_and_the_first_frame_do_not_wait_for_sqlalchemy():
    imports = "import magsleep.store.tonight, magsleep.ui.app, magsleep.ui.screens.dashboard"
    assert loaded_after(imports, ("sqlmodel", "sqlalchemy", "plotext")) == []


def test_the_first_frame_loads_no_command_module_and_no_insight_maths():
    code = ("import sys, magsleep.cli, magsleep.store.tonight, magsleep.ui.app, magsleep.ui.screens.dashboard\n"
            "print(sorted(m for m in sys.modules if m.startswith(('magsleep.cli.', 'magsleep.domain.'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = ast.literal_eval(result.stdout)  # our own child's printed list
    assert not [m for m in loaded if m.endswith("_commands")], loaded
    # (the trial's plan is read with tonight, so trial_plan is there; its analysis and the verdict are not)
    assert not {"magsleep.domain.import_file", "magsleep.domain.headline", "magsleep.domain.insights",
                "magsleep.domain.demo", "magsleep.domain.n_of_1"} & set(loaded), loaded


TRIAL_MATHS = ("magsleep.domain.n_of_1", "magsleep.domain.comparison", "magsleep.domain.first_weeks",
               "magsleep.domain.headline", "magsleep.domain.insights")


def status_modules(db: str) -> set[str]:
    code = ("import sys\nfrom magsleep.status_line import run\n"
            f"run(['--db', {db!r}, 'status'])\nprint(sorted(sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(ast.literal_eval(result.stdout.strip().splitlines()[-1]))  # our own child's printed list


def test_magsleep_status_loads_no_trial_analysis_with_or_without_a_plan(tmp_path):
    from click.testing import CliRunner

    from magsleep.cli import cli

    db = tmp_path / "m.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "dose", "100"]).exit_code == 0
    assert not set(TRIAL_MATHS) & status_modules(str(db))
    # With a plan it is read, checked against its fingerprint and its line shown: still no analysis.
    assert CliRunner().invoke(cli, ["--db", str(db), "trial", "start"]).exit_code == 0
    loaded = status_modules(str(db))
    assert "magsleep.domain.trial_plan" in loaded and not set(TRIAL_MATHS) & loaded



UI = Path(__file__).resolve().parents[1] / "src" / "magsleep" / "ui"


def imported_names(path: Path, source: str | None = None) -> set[str]:
    """Every module the file at `path` imports, wherever the import sits (top level, a function,
    `if TYPE_CHECKING:`), relative imports resolved: `from magsleep.ui import app` names magsleep.ui.app."""
    package = ".".join(("magsleep", *path.relative_to(UI.parent).parts[:-1]))
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text() if source is None else source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_no_screen_or_widget_imports_the_app_module_not_even_for_types():
    """Screens and widgets get the app's type from magsleep.ui.base (attributes down, messages up)."""
    files = sorted([*(UI / "screens").glob("*.py"), *(UI / "widgets").glob("*.py"), UI / "base.py",
                    UI / "history_rows.py"])
    assert len(files) > 20  # the folders were found
    offenders = {f.relative_to(UI).as_posix(): sorted(n for n in imported_names(f) if n.startswith("magsleep.ui.app"))
                 for f in files}
    assert {f: names for f, names in offenders.items() if names} == {}


def test_the_import_check_sees_every_spelling():
    """The check above finds the app module however it is named: under TYPE_CHECKING, in a
    function, relative, or as `from magsleep.ui import app`."""
    for spelling in ("from magsleep.ui.app import MagsleepApp", "from magsleep.ui import app",
                     "from .. import app", "from ..app import MagsleepApp", "import magsleep.ui.app"):
        for source in (f"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    {spelling}\n",
                       f"def f():\n    {spelling}\n"):
            assert "magsleep.ui.app" in imported_names(UI / "screens" / "x.py", source), spelling
    assert "magsleep.ui.app" not in imported_names(UI / "screens" / "x.py", "from magsleep.ui import base\n")


def test_the_dashboard_opens_without_click(tmp_path):
    """`magsleep --db FILE` goes straight to the app: click and the command group are not loaded
    (they were about a tenth of the time to the first frame). Without a terminal it says so, on one line."""
    code = ("import sys\nfrom magsleep.__main__ import main\n"
            f"sys.argv = ['magsleep', '--db', {str(tmp_path / 'm.db')!r}]\n"
            "try:\n    main()\nexcept SystemExit as end:\n"
            "    print(end.code, sorted(m for m in sys.modules if m.split('.')[0] == 'click' or "
            "m.startswith('magsleep.cli')))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.stdout.strip() == "2 []", result.stdout + result.stderr
    assert result.stderr.strip().splitlines() == [
        "magsleep: the dashboard needs a terminal; run it in one, or use a command (magsleep --help lists them)"]
    assert not (tmp_path / "m.db").exists()  # nothing was created


def runtime_imports(path: Path) -> set[str]:
    """Modules a file imports at run time: every import but those under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text())
    skipped = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
               and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
               for n in ast.walk(block)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_outside_the_store_the_store_is_reached_through_its_seam():
    """The import rule (magsleep/lazy.py): `store.views.f()`, never `from magsleep.store.views import f`,
    so SQLAlchemy loads where the store is opened, not wherever a caller happens to be imported."""
    src = UI.parent
    files = [f for f in src.rglob("*.py") if f.parent.name not in ("store", "render")]
    by_name = {f.relative_to(src).as_posix(): sorted(n for n in runtime_imports(f) if n.startswith("magsleep.store."))
               for f in files}
    assert {f: names for f, names in by_name.items() if names} == {}
