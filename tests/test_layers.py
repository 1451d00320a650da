"""The layers stay honest: domain and store never load Textual; the domain never loads the database."""

from __future__ import annotations

import ast
import subprocess
import sys


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
