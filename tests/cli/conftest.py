"""Running the real `magsleep` command group in-process."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner


@pytest.fixture
def run(db_path):
    from magsleep.cli import cli

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def exported(run):
    def read() -> list[dict]:
        result = run("export")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["nights"]

    return read
