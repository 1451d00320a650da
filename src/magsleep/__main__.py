"""Entry point for `magsleep` and `python -m magsleep`; imports stay lazy for a fast start."""


def main() -> None:
    from magsleep.cli import cli

    cli()


if __name__ == "__main__":
    main()
