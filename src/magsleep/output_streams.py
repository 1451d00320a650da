"""Every command writes what the output encoding can carry, and never fails on it.

With ``PYTHONIOENCODING=ascii`` or a Latin-1 terminal, ``print("→")`` raises UnicodeEncodeError:
`magsleep status` (which promises exit 0 on every prompt) and any command showing a note with an
emoji died with a traceback. `carry_what_the_encoding_can` runs first in `magsleep.__main__.main`,
so it covers the status line and every click command alike: a character the encoding lacks is
written as its ASCII stand-in (``→`` as ``->``, ``é`` as ``e``) or ``?``.

Click treats an ASCII stdout as misconfigured and rewraps its byte buffer as UTF-8, which would
send bytes the terminal said it cannot show; the streams set here do not expose their buffer, so
click writes through them as they are.
"""

from __future__ import annotations

import codecs
import io
import sys

from magsleep.domain.text_safety import ascii_stand_in

ERRORS = "magsleep-stand-in"
"""The codecs error handler that writes a stand-in for what an encoding cannot carry."""


def _stand_in(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    out = []
    for ch in err.object[err.start:err.end]:
        for candidate in (ascii_stand_in(ch), "?"):
            try:
                candidate.encode(err.encoding)
            except UnicodeEncodeError:
                continue
            out.append(candidate)
            break
    return "".join(out), err.end


class _TextOnly(io.TextIOWrapper):
    """A text stream that hides its byte buffer, so click does not rewrap it as UTF-8."""

    @property
    def buffer(self) -> io.BufferedIOBase:  # type: ignore[override]
        raise AttributeError("buffer")

    def close(self) -> None:
        # The byte buffer belongs to the original stream (sys.__stdout__): never close it from here.
        if not self.closed:
            self.flush()


def carry_what_the_encoding_can() -> None:
    """Make sys.stdout and sys.stderr write stand-ins instead of raising on a character their
    encoding lacks. UTF-8 streams (nearly all) are left exactly as they are."""
    codecs.register_error(ERRORS, _stand_in)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if not isinstance(stream, io.TextIOWrapper) or codecs.lookup(stream.encoding).name.startswith("utf"):
            continue
        stream.flush()
        stream.reconfigure(errors=ERRORS)  # the original too: the app (Textual) writes to sys.__stderr__
        # write_through: nothing waits in this wrapper while the original (sys.__stdout__, kept
        # alive by sys) shares the byte buffer.
        setattr(sys, name, _TextOnly(stream.buffer, encoding=stream.encoding, errors=ERRORS,
                                     line_buffering=stream.line_buffering, write_through=True))
