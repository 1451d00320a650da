"""The UI's bottom layer (magsleep.ui.base): every screen leaves once however fast escape is
pressed, and every screen gets the one `DataChanged -> load()` hook instead of a copy of it."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.screen import Screen

from magsleep.ui import screens as screens_package
from magsleep.ui.base import MagsleepScreen
from tests.ui.conftest import SIZE, app_for, settle

# Screens that ask nothing of the app: the notice for a small terminal, the store's error (it exits).
PLAIN_SCREENS = {"TooSmallScreen", "StoreErrorScreen"}


OVER_HISTORY = {
    "help": lambda app: screens_package.help.HelpScreen(),
    "forms": lambda app: screens_package.forms.FormsScreen(),
    "insights": lambda app: screens_package.insights.InsightsScreen(),
    "settings": lambda app: screens_package.settings.SettingsScreen(),
    "morning log": lambda app: screens_package.morning_log.MorningLogScreen(app.last_night()),
    "confirm": lambda app: screens_package.confirm.ConfirmScreen("Sure?"),
}


@pytest.mark.parametrize("name", OVER_HISTORY)
async def test_a_screen_asked_to_leave_twice_leaves_once(seeded, name):
    # Escape and a button, or escape typed twice while the screen closes, both reach it: the
    # second must neither pop the screen beneath nor answer its caller twice.
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        answers: list[object] = []
        app.push_screen(OVER_HISTORY[name](app), answers.append)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MagsleepScreen) and type(screen).__name__ != "HistoryScreen"
        screen.leave()
        screen.leave()
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack] == ["DashboardScreen", "HistoryScreen"]
        assert answers == [None]


def screen_modules() -> list[Path]:
    return sorted(Path(screens_package.__file__).parent.glob("*.py"))


def test_every_screen_is_a_magsleep_screen():
    """New screens get the typed app, the guarded leave and the reload hook from the base."""
    found = []
    for info in pkgutil.iter_modules(screens_package.__path__):
        module = importlib.import_module(f"magsleep.ui.screens.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, Screen) and name not in PLAIN_SCREENS:
                found.append(name)
                if "CommandPalette" not in name:  # Textual's palette, made steady (palette.py)
                    assert issubclass(cls, MagsleepScreen), name
    assert {"DashboardScreen", "HistoryScreen", "ConfirmScreen", "HelpScreen"} <= set(found)


def test_no_screen_handles_data_changed_itself():
    """The handler was copied into four screens; now the base calls `load()` (a copy would load twice)."""
    copies = []
    for path in screen_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and (
                    node.name in ("_data_changed", "on_data_changed")
                    or any("DataChanged" in ast.unparse(d) for d in node.decorator_list)):
                copies.append(f"{path.name}:{node.name}")
    assert copies == []
