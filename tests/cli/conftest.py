"""Running the real `magsleep` command group in-process."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def exported(run):
    def read() -> list[dict]:
        result = run("export")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["nights"]

    return read
