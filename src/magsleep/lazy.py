"""The one way magsleep defers an import: a package whose modules load on first use.

The first frame must not wait for SQLAlchemy (about 230 ms to import, through sqlmodel), plotext
or Textual's command palette, and `magsleep status` must not wait for any of them. So three
packages load their modules when an attribute first names one (PEP 562, as `textual.widgets`
does): `store` (`store.nights.save_diary(...)`), `ui.screens` (`screens.history.HistoryScreen`)
and `ui.widgets`. Everything else is imported at the top of the module that uses it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType


def submodules(package: str) -> Callable[[str], ModuleType]:
    """A module `__getattr__` for `package`: `package.name` imports `package/name.py` on first use."""

    def __getattr__(name: str) -> ModuleType:
        if name.startswith("_"):
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            return importlib.import_module(f"{package}.{name}")  # binds it on the package too
        except ModuleNotFoundError as err:
            if err.name != f"{package}.{name}":
                raise  # a module that exists failed to import something: say so
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    return __getattr__
