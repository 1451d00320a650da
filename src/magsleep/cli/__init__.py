"""The `magsleep` command: the group (`cli.group`) and one module of commands per subject.

Bad input exits 2 with one line on stderr and writes nothing; a traceback never reaches the
person. A command's module loads only when that command runs (`cli.group.COMMAND_MODULES`), and
the store and Textual only when a command uses them (`magsleep.lazy`), so `magsleep dose` and
the app both start quickly.
"""

from __future__ import annotations

from magsleep.cli.group import cli

__all__ = ["cli"]
