"""A tiny SVG writer for the report's charts: every text and attribute escaped, nothing external.

No plotting library, script, external file or font: a chart is a handful of rectangles, lines
and texts, and a clinician's printer gets exactly what the page holds.
"""

from __future__ import annotations

import html
import re

from magsleep.domain.text_safety import visible

# Characters XML 1.0 cannot hold at all (escaping does not help): `visible` shows the controls,
# these few non-characters are left to us.
_NOT_XML = re.compile("[\ufffe\uffff]")


def esc(text: object) -> str:
    """Text for an SVG (or HTML) text node or attribute: controls visible, markup escaped."""
    return html.escape(_NOT_XML.sub("\ufffd", visible(text)), quote=True)


def _attrs(attrs: dict[str, object]) -> str:
    out = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = f"{value:.1f}".rstrip("0").rstrip(".")
        out.append(f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"')
    return "".join(out)


class Svg:
    """An SVG picture built element by element; `str()` gives the markup."""

    def __init__(self, width: float, height: float, title: str) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = [f"<title>{esc(title)}</title>"]

    def add(self, tag: str, text: str | None = None, **attrs: object) -> None:
        """One element; `class_` gives `class`, `font_size` gives `font-size`."""
        if text is None:
            self.parts.append(f"<{tag}{_attrs(attrs)}/>")
        else:
            self.parts.append(f"<{tag}{_attrs(attrs)}>{esc(text)}</{tag}>")

    def open(self, tag: str, **attrs: object) -> None:
        self.parts.append(f"<{tag}{_attrs(attrs)}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def __str__(self) -> str:
        size = _attrs({"width": self.width, "height": self.height, "viewBox": f"0 0 {self.width:g} {self.height:g}"})
        return (f'<svg xmlns="http://www.w3.org/2000/svg"{size} role="img" font-family="sans-serif">'
                + "".join(self.parts) + "</svg>")
