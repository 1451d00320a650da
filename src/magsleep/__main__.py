"""Entry point for `magsleep` and `python -m magsleep`.

`magsleep status` (run on every shell prompt) is answered before click is even imported.
"""

import sys

from magsleep.output_streams import carry_what_the_encoding_can
from magsleep.status_line import run


def main() -> None:
    carry_what_the_encoding_can()  # first: the status line and every command write through it
    code = run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from magsleep.cli import cli  # click and the commands: only when the status line did not answer

    cli()


if __name__ == "__main__":
    main()
