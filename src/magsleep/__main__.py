"""Entry point for `magsleep` and `python -m magsleep`; imports stay lazy for a fast start.

`magsleep status` (run on every shell prompt) is answered before click is even imported.
"""

import sys


def main() -> None:
    from magsleep.status_line import run

    code = run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from magsleep.cli import cli

    cli()


if __name__ == "__main__":
    main()
