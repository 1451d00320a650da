"""The one way magsleep defers an import, and the one rule for when it does.

The rule: import at the top of the module, by name (`from magsleep.domain.nights import night_of`),
never inside a function. Two things are deferred, and only through `submodules` below (PEP 562,
as `textual.widgets` does), by naming a module as an attribute of its package:

- the store, from outside it: `from magsleep import store`, then `store.views.trend_points(...)`;
  types for annotations under `if TYPE_CHECKING:`. Most store modules import SQLAlchemy (about
  230 ms): so it loads in the app's opening thread after the first frame, never on the UI thread,
  and `magsleep status` never loads it. Inside the store, modules import each other by name.
- screens and widgets the first frame does not show, named from the modules it loads:
  `screens.history.HistoryScreen()`, `widgets.trend_chart.TrendChart` (plotext).

Two more packages use the seam: `ui` (`ui.app.run_dashboard` from the command line: `magsleep
dose` never loads Textual) and `render` (`render.report` brings the store's SQLAlchemy, which the
Insights screen must not import). The exceptions to "never inside a function" are the command
line's two loaders: `__main__` (click only when needed) and `cli.group.COMMAND_MODULES`.

Checked by import-linter (`lint-imports`, contracts in pyproject.toml: the layers, no UI module
imports SQLAlchemy, the first frame imports neither SQLAlchemy nor plotext) and tests/test_layers.py.
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
