"""The guide stays a guide: README for users and short, every link in the docs leads somewhere,
every command is in README's table, and the repository carries its own sources (no pointer to
files outside it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_readme_is_for_users_and_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines: move detail to docs/ or CONTRIBUTING.md"
    for heading in ("## Command line", "## Reliability"):
        assert any(line.startswith(heading) for line in lines), heading


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file(guide: Path):
    text = guide.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path = target.split("#", 1)[0]
        if path:
            assert (guide.parent / path).exists(), f"{guide.name} links to {target}, which is not there"


def test_every_command_is_in_readmes_table():
    from magsleep.cli.group import COMMAND_MODULES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in COMMAND_MODULES if f"`magsleep {name}" not in readme]
    assert not missing, f"README's command table lacks {missing}"


def test_no_pointer_to_files_outside_the_repository():
    """Facts and rules live in docs/ and the modules: a path into a folder that only this
    workplace has (shared/...) means nothing to the next person."""
    pointers = []
    for folder in ("src", "tests", "docs", "benchmarks", "screenshots"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".md", ".tcss", ".toml"} and path != Path(__file__).resolve():
                if "shared/" in path.read_text(encoding="utf-8", errors="replace"):
                    pointers.append(str(path.relative_to(ROOT)))
    for name in ("README.md", "CONTRIBUTING.md", "pyproject.toml"):
        if "shared/" in (ROOT / name).read_text(encoding="utf-8"):
            pointers.append(name)
    assert not pointers, f"pointers to shared/: {pointers}"
