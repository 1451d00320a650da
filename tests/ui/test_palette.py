"""The command palette: one entry per thing, only what magsleep does, and a page move that never
crashes it (the guard on magsleep's own list, not on Textual's class)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.command import CommandList
from textual.widgets.option_list import Option

from magsleep.ui.screens.palette import SteadyCommandList
from tests.support.app import SIZE, app_for, settle


async def palette_titles(pilot) -> list[str]:
    await pilot.press("ctrl+p")
    for _ in range(100):  # the palette discovers in a worker: wait for its list
        await pilot.pause()
        found = pilot.app.screen.query(CommandList)
        if found and found.first().option_count:
            break
    options = pilot.app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]


async def test_the_palette_lists_each_thing_once_and_nothing_that_means_nothing_here(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = await palette_titles(pilot)
        assert isinstance(app.screen.query_one(CommandList), SteadyCommandList)
    joined = " | ".join(titles)
    for absent in ("Keys", "Maximize", "Minimize", "Screenshot", "Help: keys"):
        assert absent not in titles, joined
    for present in ("Help", "Theme", "Quit", "Go to history", "Add dose"):
        assert present in titles, joined
    assert len(titles) == len(set(titles)), joined


class _Bare(App[None]):
    """A list with options that has not been laid out yet (no height), as in the palette's first moment."""

    def __init__(self, kind: type[CommandList]) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        bare = self.kind(Option("a"), Option("b"))
        bare.styles.height = 0
        yield bare


async def test_a_page_move_before_the_list_has_a_height_crashes_textuals_list_but_not_ours():
    for kind, crashes in ((CommandList, True), (SteadyCommandList, False)):
        app = _Bare(kind)
        async with app.run_test(size=SIZE):
            listing = app.query_one(kind)
            listing._lines.clear()  # the line map is empty until the first layout
            listing._index_to_line.clear()
            if crashes:
                with pytest.raises(KeyError):
                    listing._move_page(1)
            else:
                listing._move_page(1)
    # The guard is scoped to magsleep's subclass: Textual's class (its own palettes) is untouched.
    assert CommandList._move_page is not SteadyCommandList._move_page
    assert "OptionList" in CommandList._move_page.__qualname__


async def test_the_theme_picker_uses_the_steady_palette(seeded):
    app = app_for(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.search_themes()
        await pilot.pause()
        assert isinstance(app.screen.query_one(CommandList), SteadyCommandList)
