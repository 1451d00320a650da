"""magsleep: a terminal tracker for magnesium and sleep."""

__version__ = "0.1.0"
