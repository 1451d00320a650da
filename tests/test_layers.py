"""The layers stay honest: domain and store never load Textual."""

from __future__ import annotations

import subprocess
import sys


def test_domain_and_store_do_not_import_textual():
    code = (
        "import sys, magsleep.domain, magsleep.store, magsleep.store.engine, magsleep.store.transfer, "
        "magsleep.domain.demo, magsleep.domain.sleep_diary, magsleep.cli; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_plotext', 'plotext')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_does_not_import_the_database():
    code = (
        "import sys, pkgutil, importlib, magsleep.domain as d; "
        "[importlib.import_module('magsleep.domain.' + m.name) for m in pkgutil.iter_modules(d.__path__)]; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlmodel', 'sqlalchemy', 'sqlite3', 'textual')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
