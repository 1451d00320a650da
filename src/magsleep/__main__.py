"""Entry point for `magsleep` and `python -m magsleep`.

`magsleep status` (run on every shell prompt) is answered before click is even imported, and
`magsleep` alone (or `magsleep --db FILE`) opens the dashboard without it: click and the command
group are about a tenth of the time to the first frame.
"""

import gc
import sys
from pathlib import Path

from magsleep.output_streams import carry_what_the_encoding_can
from magsleep.status_line import run


def dashboard_only(argv: list[str]) -> bool:
    """`magsleep` or `magsleep --db FILE`: nothing for click to parse (anything else goes to click)."""
    return not argv or (len(argv) == 2 and argv[0] == "--db" and argv[1] != "" and not argv[1].startswith("-"))


def main() -> None:
    carry_what_the_encoding_can()  # first: the status line and every command write through it
    argv = sys.argv[1:]
    code = run(argv)
    if code is not None:
        sys.exit(code)
    if dashboard_only(argv):
        # Collecting garbage while Textual loads and draws cost a tenth of the first frame (its
        # objects live for the whole run): the app resumes collection once its file is open.
        gc.disable()
        from magsleep.ui.app import run_dashboard  # Textual: only for the dashboard

        sys.exit(run_dashboard(Path(argv[1]) if argv else None))
    from magsleep.cli import cli  # click and the commands: only when the status line did not answer

    cli()


if __name__ == "__main__":
    main()
