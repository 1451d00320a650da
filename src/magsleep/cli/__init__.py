"""The `magsleep` command: the group (`cli.group`) and the modules that register its commands.

Bad input exits 2 with one line on stderr and writes nothing; a traceback never reaches the
person. The store and Textual load only when a command uses them (see `magsleep.lazy`), so
`magsleep dose` stays quick.
"""

from __future__ import annotations

from magsleep.cli import (  # noqa: F401  (importing them registers the commands)
    data_commands,
    guide_commands,
    insight_commands,
    log_commands,
    trial_commands,
)
from magsleep.cli.group import cli

__all__ = ["cli"]
